// Links from this dataset's IRIs to their pages here, written as the server's pages write them
// (api/page_data.py local_path), for the result table (query-ui.js) and the graph view (graph-plugin.js).
(function () {
  "use strict";
  // The server gets the path decoded once, so all but RFC 3986's pchar, '/' and an IRI's own '%' escapes is
  // escaped ('?' would start a query, '#' end the path).
  const PATH_SAFE = /[A-Za-z0-9\/%:@!$&'()*+,;=._~-]/;
  // A '.' or '..' segment (a '.' also written %2e), which a browser removes with the one before it, as the server's
  // pages send it (page_data._kept_whole): its escapes escaped, to arrive as they are, else its dots as %252E,
  // to arrive as %2E, which the server reads as a dot.
  const keptWhole = (segment) => (![".", ".."].includes(segment.replace(/%2e/gi, ".")) ? segment
    : segment.includes("%") ? segment.replace(/%/g, "%25") : segment.replace(/\./g, "%252E"));
  window.sahelLocalHref = function (iri, iriBase) {
    if (!iri.startsWith(iriBase)) return null;
    const rest = iri.slice(iriBase.length);
    const hash = rest.indexOf("#");
    // An ontology term keeps its fragment (its section of the ontology's page); another hash IRI is a page of its own
    const own = hash >= 0 && rest.slice(0, hash) !== "ontology";
    const path = hash < 0 || own ? rest : rest.slice(0, hash);
    try {
      // An IRI's own %2F goes as %252F: decoded, it would read as a '/', which another IRI may hold instead.
      const escaped = Array.from(path, (ch) => (PATH_SAFE.test(ch) ? ch : encodeURIComponent(ch))).join("")
        .replace(/%2([Ff])/g, "%252$1").split("/").map(keptWhole).join("/");
      return "/" + escaped + (hash < 0 || own ? "" : rest.slice(hash));
    } catch (error) {  // a lone surrogate has no UTF-8: no page to link to
      return null;
    }
  };
})();
