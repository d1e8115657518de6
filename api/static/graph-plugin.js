// A YASR result view that draws CONSTRUCT and DESCRIBE answers as a graph (cytoscape, vendored).
(function () {
  "use strict";
  const iriBase = JSON.parse(document.getElementById("query-config").textContent).iriBase;
  function shortName(term) {
    if (term.termType === "Literal") return `"${term.value.length > 40 ? term.value.slice(0, 40) + "…" : term.value}"`;
    const value = term.value;
    const cut = Math.max(value.lastIndexOf("#"), value.lastIndexOf("/"));
    const name = cut >= 0 && cut < value.length - 1 ? value.slice(cut + 1) : value;
    try { return decodeURIComponent(name); } catch (error) { return name; }  // an alias label's IRI escapes its words
  }
  class GraphPlugin {
    constructor(yasr) { this.yasr = yasr; this.priority = 15; this.label = "Graph"; }
    canHandleResults() {
      const results = this.yasr.results;
      return !!results && !results.getError() && results.getType() === "ttl" && !!results.getStatements();
    }
    getIcon() {
      const icon = document.createElement("span");
      icon.textContent = "◉";
      icon.setAttribute("aria-hidden", "true");
      return icon;
    }
    draw() {
      const holder = document.createElement("div");
      holder.className = "graph-view";
      holder.setAttribute("role", "img");
      holder.setAttribute("aria-label", "The answer drawn as a graph");
      this.yasr.resultsEl.appendChild(holder);
      const nodes = new Map();
      const edges = [];
      const node = (term) => {
        const id = term.termType === "Literal" ? `literal:${nodes.size}` : term.value;
        if (!nodes.has(id)) {
          const local = term.termType === "NamedNode" ? window.sahelLocalHref(term.value, iriBase) : null;
          nodes.set(id, { data: { id: id, label: window.sahelShown(shortName(term)), href: local, literal: term.termType === "Literal" } });
        }
        return id;
      };
      this.yasr.results.getStatements().forEach((quad, index) => {
        edges.push({ data: { id: `e${index}`, source: node(quad.subject), target: node(quad.object),
                             label: window.sahelShown(shortName(quad.predicate)) } });
      });
      const graph = cytoscape({
        container: holder,
        elements: [...nodes.values(), ...edges],
        layout: { name: "cose", animate: false },
        style: [
          { selector: "node", style: { label: "data(label)", "font-size": 10, "background-color": "#2f6f9f", color: "#111" } },
          { selector: "node[?literal]", style: { shape: "round-rectangle", "background-color": "#c9a227" } },
          { selector: "edge", style: { label: "data(label)", "font-size": 8, "curve-style": "bezier",
                                       "target-arrow-shape": "triangle", width: 1 } },
        ],
      });
      graph.on("tap", "node", (event) => { const href = event.target.data("href"); if (href) window.location.href = href; });
      holder.dataset.nodes = String(nodes.size);
      holder.dataset.edges = String(edges.length);
    }
  }
  Yasgui.Yasr.registerPlugin("graph", GraphPlugin);
})();
