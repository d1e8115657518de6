// The network view: actors and their relationships from /views/network.json, filtered by an "as of"
// date (on the server) and by who says it and how (here), each edge opening its evidence.
(function () {
  "use strict";
  const form = document.getElementById("network-filters");
  const dataUrl = form.getAttribute("action");
  const asOf = document.getElementById("as-of");
  const claimersBox = document.getElementById("claimers");
  const panel = document.getElementById("edge-evidence");
  const summary = document.getElementById("network-summary");
  const edgeList = document.querySelector("#edge-list tbody");
  const LARGE = 400;  // elements (nodes and edges) past which the layout is the cheap one
  let rows = [];
  let cut = false;  // the row cap cut the server's answer
  let graph = null;

  const voiceKey = (row) => `${row.claimer || "none"}|${row.modality || "none"}`;
  function voiceLabel(row) {
    if (!row.claimer) return "background facts (no claimer)";
    return `${row.claimerLabel || row.claimer}: ${row.modalityLabel || "modality not given"}`;
  }
  // The same words as nodes, each label from the data isolated for its direction.
  function voice(row) {
    if (!row.claimer) return [voiceLabel(row)];
    return [window.sahelBdi(row.claimerLabel || row.claimer), ": ", window.sahelBdi(row.modalityLabel || "modality not given")];
  }

  function buildClaimers(all) {
    const seen = new Map();
    all.forEach((row) => { if (!seen.has(voiceKey(row))) seen.set(voiceKey(row), row); });
    claimersBox.querySelectorAll("label").forEach((label) => label.remove());
    [...seen.entries()].sort((a, b) => voiceLabel(a[1]).localeCompare(voiceLabel(b[1]))).forEach(([key, row]) => {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = key;
      box.checked = !row.modality || /#Asserted$/.test(row.modality);
      box.addEventListener("change", draw);
      label.append(box, " ", ...voice(row));
      claimersBox.append(label);
    });
  }

  function chosenVoices() {
    return new Set([...claimersBox.querySelectorAll("input:checked")].map((box) => box.value));
  }

  function kindName(row) {
    if (row.kindLabel) return row.kindLabel;
    return /#Membership$/.test(row.kind) ? "member of" : row.kind.split(/[#/]/).pop();
  }

  function typeClass(type) { return type ? "type-" + type.split("#").pop() : "type-other"; }

  function draw() {
    const voices = chosenVoices();
    const shown = rows.filter((row) => voices.has(voiceKey(row)));
    const nodes = new Map();
    const edges = new Map();
    shown.forEach((row) => {
      [["from", row.from, row.fromLabel, row.fromType, row.fromHref], ["to", row.to, row.toLabel, row.toType, row.toHref]]
        .forEach(([, id, label, type, href]) => {
          if (!nodes.has(id)) nodes.set(id, { data: { id: id, label: label || id.split("/").pop(), href: href }, classes: typeClass(type) });
        });
      const id = `${row.edge}|${row.kind}|${row.from}|${row.to}`;
      if (!edges.has(id)) {
        edges.set(id, { data: { id: id, source: row.from, target: row.to, kind: kindName(row),
                                statuses: new Set(), rows: [], edgeHref: row.edgeHref, edgeLabel: row.edge, certain: false } });
      }
      const edge = edges.get(id).data;
      if (row.statusLabel) edge.statuses.add(row.statusLabel);
      if (row.holding === "certainly") edge.certain = true;
      edge.rows.push(row);
    });
    const elements = [...nodes.values()];
    edges.forEach((edge) => {
      const status = [...edge.data.statuses].join(", ");
      const name = edge.data.rows.map((row) => row.edgeLabel).find(Boolean) || edge.data.kind;  // "broader … cooperation"
      edge.data.label = status ? `${name} (${status})` : name;
      edge.classes = [...edge.data.statuses].map((s) => "status-" + s.replace(/\W+/g, "-")).join(" ") +
        (asOf.value && !edge.data.certain ? " possibly" : "");
      elements.push(edge);
    });
    if (graph) graph.destroy();
    graph = cytoscape({
      container: document.getElementById("network"),
      elements: elements,
      // cose costs the square of the nodes on each of its passes: a few thousand edges hung the tab for
      // minutes. Past a few hundred, rings by degree, drawn at once.
      layout: elements.length > LARGE ? { name: "concentric", animate: false, padding: 30, minNodeSpacing: 10 }
        : { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 600000, idealEdgeLength: () => 160,
            nodeOverlap: 40, gravity: 0.2, componentSpacing: 150, padding: 30 },
      style: [
        { selector: "node", style: { label: "data(label)", "font-size": 11, "text-wrap": "wrap", "text-max-width": 110,
                                     "background-color": "#6b7785", color: "#111", "text-valign": "bottom" } },
        { selector: "node.type-SovereignState", style: { "background-color": "#2f6f9f", shape: "ellipse" } },
        { selector: "node.type-Alliance", style: { "background-color": "#7a4fa0", shape: "hexagon" } },
        { selector: "node.type-NationalMilitary, node.type-JointForce", style: { "background-color": "#3c8d5a", shape: "round-rectangle" } },
        { selector: "node.type-JihadistGroup, node.type-NonStateArmedGroup", style: { "background-color": "#b03a2e", shape: "diamond" } },
        { selector: "node.type-Region", style: { "background-color": "#c9a227", shape: "round-triangle" } },
        { selector: "edge", style: { label: "data(label)", "font-size": 10, "curve-style": "bezier", "target-arrow-shape": "triangle",
                                     width: 2, "line-color": "#8a95a3", "target-arrow-color": "#8a95a3", "text-rotation": "autorotate",
                                     "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 1 } },
        { selector: "edge:selected", style: { width: 4, "line-color": "#f5a623", "target-arrow-color": "#f5a623" } },
        { selector: "edge.status-ceased, edge.status-scaled-back, edge.status-disrupted", style: { "line-style": "dashed", "line-color": "#b03a2e", "target-arrow-color": "#b03a2e" } },
        { selector: "edge.status-active", style: { "line-color": "#3c8d5a", "target-arrow-color": "#3c8d5a" } },
        { selector: "edge.possibly", style: { "line-style": "dotted", opacity: 0.75 } },
      ],
    });
    window.sahelNetwork = graph;  // for people poking at it in the console, and for the browser tests
    graph.on("tap", "edge", (event) => showEdge(event.target.data()));
    graph.on("tap", "node", (event) => showNode(event.target.data()));
    listEdges(nodes, edges);
    const container = document.getElementById("network");
    container.dataset.nodes = String(nodes.size);
    container.dataset.edges = String(edges.size);
    const certain = [...edges.values()].filter((edge) => edge.data.certain).length;
    container.dataset.certain = String(certain);
    summary.textContent = `${nodes.size} actors, ${edges.size} relationships` + (asOf.value
      ? ` that held on ${asOf.value}: ${certain} certainly, ${edges.size - certain} possibly (dotted; their dates do not rule it out)`
      : " at any time") + "." + (cut ? " Not all are shown: the server's answer reached its row cap." : "");
  }

  // The canvas is a picture to assistive technology and the keyboard: the table says the same, each
  // relationship a button that selects it in the drawing and opens its evidence.
  function listEdges(nodes, edges) {
    const actor = (id) => {
      const data = nodes.get(id).data;
      const cell = document.createElement("td");
      cell.append(data.href ? link(data.href, window.sahelBdi(data.label)) : window.sahelBdi(data.label));
      return cell;
    };
    const name = (id) => nodes.get(id).data.label;
    const ordered = [...edges.values()].map((edge) => edge.data)
      .sort((a, b) => name(a.source).localeCompare(name(b.source)) || a.label.localeCompare(b.label) ||
                      name(a.target).localeCompare(name(b.target)));
    edgeList.replaceChildren(...ordered.map((edge) => {
      const row = document.createElement("tr");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "edge-button";
      button.append(window.sahelBdi(edge.label));
      button.addEventListener("click", () => {
        graph.elements().unselect();
        graph.getElementById(edge.id).select();
        showEdge(edge);
        panel.focus();
      });
      const middle = document.createElement("td");
      middle.append(button);
      row.append(actor(edge.source), middle, actor(edge.target));
      return row;
    }));
  }

  function link(href, text) {
    const a = document.createElement("a");
    a.href = href;
    a.append(text);
    return a;
  }

  function openPanel(title, href, text) {
    panel.replaceChildren();
    const heading = document.createElement("h2");
    heading.append(window.sahelBdi(title));
    panel.append(heading);
    if (href) { const p = document.createElement("p"); p.append(link(href, text)); panel.append(p); }
  }

  function showEdge(edge) {
    openPanel(edge.label, edge.edgeHref, "The relationship's page");
    const list = document.createElement("ul");
    const seen = new Set();
    edge.rows.forEach((row) => {
      const key = `${row.claim}|${row.statusLabel || ""}`;
      if (seen.has(key)) return;
      seen.add(key);
      const item = document.createElement("li");
      item.className = "evidence-item";
      if (row.claimHref && row.claimer) item.append(link(row.claimHref, "claim " + row.claim.split("/").pop()), ": ");
      else if (row.claimHref) item.append("from ", link(row.claimHref, row.claim.split("/").pop()), ": ");
      item.append(...voice(row));
      if (row.statusLabel) item.append("; status ", window.sahelBdi(row.statusLabel));
      if (row.spanLabel) item.append("; holds ", window.sahelBdi(row.spanLabel));
      if (row.quote) { const quote = document.createElement("blockquote"); quote.dir = "auto"; quote.textContent = row.quote; item.append(quote); }
      list.append(item);
    });
    panel.append(list);
  }

  function showNode(node) {
    openPanel(node.label, node.href, "Its page, with every statement's evidence");
  }

  // Answers may come back in another order than asked: only the last day's is drawn.
  let asked = 0;
  function load() {
    const mine = ++asked;
    const url = asOf.value ? `${dataUrl}?as_of=${encodeURIComponent(asOf.value)}` : dataUrl;
    window.sahelAsOfToAddress(asOf.value);
    return fetch(url).then((response) => response.json()).then((body) => {
      answered();
      if (mine !== asked) return;
      rows = body.edges.map(window.sahelShownRow); cut = Boolean(body.truncated); draw();
    });
  }
  function answered() {  // how many answers the view has handled, told on the drawing (for tests and tools)
    const drawing = document.getElementById("network");
    drawing.dataset.answers = String(Number(drawing.dataset.answers || 0) + 1);
  }

  fetch(dataUrl).then((response) => response.json()).then((body) => {
    answered();
    buildClaimers(body.edges);
    if (asked > 0) return;  // a day was chosen meanwhile: its own answer draws
    rows = body.edges.map(window.sahelShownRow);
    cut = Boolean(body.truncated);
    const shared = window.sahelAsOfFromAddress();
    if (shared) { asOf.value = shared; load(); } else draw();
  });
  asOf.addEventListener("change", load);
  document.getElementById("as-of-clear").addEventListener("click", () => { asOf.value = ""; load(); });
  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
})();
