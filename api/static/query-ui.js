// The query editor: YASGUI on this server's endpoint, with its prefixes, its example queries as named
// tabs, completion from its own data (never prefix.cc or LOV), links to pages, downloads and errors
// with line and column.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("query-config").textContent);
  const endpoint = new URL(config.endpoint, window.location.href).href;
  const Yasqe = Yasgui.Yasqe;
  // The server declares its prefixes itself; the editor's syntax check is told them too, so a query
  // without PREFIX lines is not marked "Prefix 'sahel' is not defined".
  const sparqlMode = Yasqe.modes && Yasqe.modes.sparql11;
  if (sparqlMode) {
    Yasqe.defineMode("sparql11", (editorConfig, modeConfig) => {
      const mode = sparqlMode(editorConfig, modeConfig);
      const startState = mode.startState;
      mode.startState = function () {
        const state = startState.apply(this, arguments);
        state.prefixes = { ...config.prefixes, ...state.prefixes };
        return state;
      };
      return mode;
    });
  }
  let terms = null;
  const termsLoaded = fetch(config.completions).then((r) => r.json()).then((found) => { terms = found; });

  function localCompleter(name, kind, valid) {
    const base = Yasqe.Autocompleters[name] || {};
    Yasqe.registerAutocompleter({
      name: name,
      bulk: true,
      autoShow: false,
      persistenceId: null,
      isValidCompletionPosition: valid || base.isValidCompletionPosition,
      get: () => termsLoaded.then(() => (terms ? terms[kind].map((t) => t.text) : [])),
      preProcessToken: (yasqe, token) => { token.autocompletionString = token.string.trim(); return token; },
      postProcessSuggestion: (yasqe, token, suggestion) => suggestion,
    }, true);
  }
  // Classes right after `a` or rdf:type only; properties wherever a predicate may stand (even before
  // anything is typed), so Ctrl-Space in predicate position offers properties, never classes.
  const isVariable = (token) => token.string[0] === "?" || token.string[0] === "$";
  localCompleter("class", "class", (yasqe) => {
    const token = yasqe.getCompleteToken();
    const before = yasqe.getPreviousNonWsToken(yasqe.getDoc().getCursor().line, token);
    return !isVariable(token) && !!before && ["a", "rdf:type"].includes(before.string);
  });
  localCompleter("property", "property", (yasqe) => {
    const token = yasqe.getCompleteToken();
    return !isVariable(token) && token.state.possibleCurrent.indexOf("a") >= 0;
  });
  localCompleter("entity", "entity", (yasqe) => /^sk:/.test(yasqe.getCompleteToken().string));
  const prefixBase = Yasqe.Autocompleters.prefixes;
  Yasqe.registerAutocompleter({
    ...prefixBase,
    persistenceId: null,
    get: () => Promise.resolve(Object.entries(config.prefixes).map(([name, iri]) => `${name}: <${iri}>`).sort()),
  }, true);
  Yasqe.defaults.autocompleters = ["variables", "prefixes", "class", "property", "entity"];
  Yasqe.defaults.prefixCcApi = undefined;

  // Errors: a query the Run button cancelled, said so (YASR showed the browser's "signal is aborted without reason"
  // and a link to run it again); then the server's problem document, shown with its line and column.
  Yasgui.Yasr.defaults.errorRenderers = [async (error) => {
    const said = [error && error.text, error && error.statusText, error && error.message].filter(Boolean).join(" ");
    if (error && error.status === undefined && /abort/i.test(said)) {
      const box = document.createElement("div");
      box.className = "query-problem";
      box.setAttribute("role", "status");
      box.textContent = "Query cancelled: the server stopped its work. Run it again when you wish.";
      return box;
    }
    return undefined;
  }, async (error) => {
    let problem;
    try { problem = JSON.parse(error.text); } catch (e) { return undefined; }
    const box = document.createElement("div");
    box.className = "query-problem";
    box.setAttribute("role", "alert");
    const where = problem.line ? `Line ${problem.line}, column ${problem.column}: ` : "";
    box.textContent = `${problem.title} (${problem.status}). ${where}${problem.detail || ""}`;
    return box;
  }];

  // Queries go to this server's endpoint only: a shared link's endpoint= (or headers) and an endpoint an
  // earlier visit left in localStorage are overridden, so a link cannot send the next Run elsewhere.
  // A graph is asked for as Turtle (YASGUI asks N-Triples): an empty one then still has its prefix lines, where an
  // empty N-Triples body was read as no answer and the response object printed in its place.
  const REQUEST = { endpoint: endpoint, method: "POST", acceptHeaderGraph: "text/turtle,*/*;q=0.9" };
  function pinEndpoint(tabConfig) {
    tabConfig.requestConfig = { ...tabConfig.requestConfig, ...REQUEST, headers: {} };
    // A link's tab takes the example's title when it is one, else its first comment line, not "Query".
    const text = (tabConfig.yasqe && tabConfig.yasqe.value) || "";
    const example = config.examples.find((candidate) => candidate.text.trim() === text.trim());
    const first = /^\s*(?:#\s*(?:title:\s*)?)?((?!PREFIX|BASE)[^\n]{1,48})/im.exec(text);
    if (example) tabConfig.name = example.title;
    else if (first && (!tabConfig.name || /^Query( \d+)?$/.test(tabConfig.name))) tabConfig.name = first[1].trim();
    return tabConfig;
  }
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { ...REQUEST },
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    copyEndpointOnNewTab: true,
    populateFromUrl: pinEndpoint,
    autofocus: false,
    // Every line drawn, as the editor grows with its query (site.css), not only those near the cursor.
    yasqe: { value: config.examples.length ? config.examples[0].text : "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
             viewportMargin: Infinity, resizeable: false },
  });
  // YASGUI keeps its "add tab" button inside the tab list, where only tabs may be (axe: aria-required-children),
  // so a screen reader counts it as a tab. The button moves to just after the list; its empty holder stays,
  // since YASGUI inserts each new tab before it.
  const tabList = document.querySelector("#yasgui [role=tablist]");
  const addTab = tabList && tabList.querySelector("button.addTab");
  if (addTab) tabList.after(addTab);

  // The server knows its prefixes without PREFIX lines; the editor's own syntax check does not, so the
  // known prefixes a query uses are declared in it (folded away) when it is opened.
  function declareKnownPrefixes(yasqe) {
    const declared = yasqe.getPrefixesFromQuery();
    const used = new Set([...yasqe.getValue().matchAll(/(?:^|[\s(\/^|,;{])([A-Za-z][\w-]*):/g)].map((m) => m[1]));
    const missing = {};
    used.forEach((name) => { if (config.prefixes[name] && !(name in declared)) missing[name] = config.prefixes[name]; });
    if (Object.keys(missing).length) { yasqe.addPrefixes(missing); yasqe.collapsePrefixes(true); }
  }

  // A query's text less the PREFIX and BASE lines it starts with (which declareKnownPrefixes may have added)
  const withoutDeclarations = (text) => text.replace(/^(\s*(PREFIX|BASE)\b[^\n]*\n)*/i, "").trim();
  // Examples as named queries: choosing one opens it in a tab of its own, unless the open tab holds an example as it
  // was, which it replaces: the arrow keys on the list fire a change for each option they pass (a tab each, before).
  document.getElementById("example").addEventListener("change", (event) => {
    const chosen = config.examples.find((example) => example.name === event.target.value);
    if (!chosen) return;
    const open = yasgui.getTab();
    const text = open ? withoutDeclarations(open.getYasqe().getValue()) : null;
    if (open && config.examples.some((example) => withoutDeclarations(example.text) === text)) {
      open.setName(chosen.title);
      open.getYasqe().setValue(chosen.text);
      declareKnownPrefixes(open.getYasqe());
      return;
    }
    const tab = yasgui.addTab(true, { name: chosen.title, yasqe: { value: chosen.text },
                                      requestConfig: { ...REQUEST } });
    yasgui.selectTabId(tab.getId());
    declareKnownPrefixes(tab.getYasqe());
  });

  // After each run: IRIs of this dataset link to their pages here; CSV and JSON downloads of the query.
  function afterDraw(yasr) {
    yasr.resultsEl.querySelectorAll("a[href]").forEach((link) => {
      const local = window.sahelLocalHref(link.getAttribute("href"), config.iriBase);
      if (local) { link.setAttribute("href", local); link.removeAttribute("target"); }
    });
    // The table's page size list and the raw view's text area come without a name (axe: select-name, label).
    yasr.rootEl.querySelectorAll("select.tableSizer").forEach((list) => list.setAttribute("aria-label", "Page size"));
    yasr.rootEl.querySelectorAll(".yasr_results .CodeMirror textarea")
      .forEach((area) => area.setAttribute("aria-label", "The response as the server sent it"));
    // The row numbers' column has an empty header (axe: empty-table-header): it is named for screen readers.
    yasr.rootEl.querySelectorAll("thead th:first-child").forEach((header) => {
      if (header.textContent.trim()) return;
      const name = document.createElement("span");
      name.className = "visually-hidden";
      name.textContent = "Row";
      header.append(name);
    });
  }
  function onTab(tab) {
    const yasr = tab.getYasr();
    if (yasr && !yasr.__sahelHooked) {
      yasr.on("drawn", () => afterDraw(yasr));
      // A view that cannot show the answer is greyed (YASR's class, set after "drawn"), yet was a button like
      // the others to a screen reader: it says it is disabled whenever it is greyed.
      const say = (button) => button.setAttribute("aria-disabled", String(button.classList.contains("disabled")));
      yasr.headerEl.querySelectorAll(".yasr_btn").forEach(say);
      new MutationObserver((changes) => changes.forEach((change) => say(change.target)))
        .observe(yasr.headerEl, { subtree: true, attributes: true, attributeFilter: ["class"] });
      yasr.__sahelHooked = true;
    }
  }
  yasgui.on("tabSelect", (instance, id) => setTimeout(() => onTab(yasgui.getTab(id)), 0));
  yasgui.on("tabAdd", (instance, id) => setTimeout(() => onTab(yasgui.getTab(id)), 0));
  function keepOnThisServer(tab) {
    if (tab && tab.getEndpoint() !== endpoint) tab.setEndpoint(endpoint);
  }
  Object.keys(yasgui._tabs).forEach((id) => keepOnThisServer(yasgui.getTab(id)));
  yasgui.on("tabAdd", (instance, id) => keepOnThisServer(yasgui.getTab(id)));
  yasgui.on("queryBefore", (instance, tab) => keepOnThisServer(tab));
  onTab(yasgui.getTab());
  declareKnownPrefixes(yasgui.getTab().getYasqe());
  // The example list names the example the open tab holds (the first tab opens on the first example).
  function showChosenExample(tab) {
    const text = tab ? tab.getYasqe().getValue().trim() : "";
    const open = config.examples.find((example) => text.endsWith(example.text.trim()));
    document.getElementById("example").value = open ? open.name : "";
  }
  showChosenExample(yasgui.getTab());
  yasgui.on("tabSelect", (instance, id) => setTimeout(() => showChosenExample(yasgui.getTab(id)), 0));
  // The server's warnings (X-Query-Warning: a term neither the ontology nor the data has, a graph of the dataset
  // the store does not have) above the answer.
  const warnings = document.getElementById("query-warnings");
  function showWarnings(response) {
    const header = response && response.headers && typeof response.headers.get === "function"
      ? response.headers.get("X-Query-Warning") : null;
    // A client joins several headers with ", ", which a warning's own text may hold ("did you mean A, B or C?").
    const found = header ? header.split(/,\s*(?=unknown term <|graph <|and \d+ more (?:unknown term|absent graph))/) : [];
    warnings.replaceChildren(...found.map((text) => { const li = document.createElement("li"); li.textContent = text; return li; }));
    warnings.hidden = found.length === 0;
  }
  // While a query runs, YASQE's button cancels it, and its name says so (it stayed "Run query").
  function nameRunButton(yasqe, busy) {
    const button = yasqe.queryBtn;
    if (button) {
      button.setAttribute("aria-label", busy ? "Cancel query" : "Run query");
      button.title = busy ? "Cancel query" : "Run query";
    }
  }
  function hookWarnings(tab) {
    const yasqe = tab && tab.getYasqe();
    if (yasqe && !yasqe.__sahelWarnings) {
      yasqe.on("queryResponse", (editor, response) => { showWarnings(response); nameRunButton(yasqe, false); });
      yasqe.on("query", () => nameRunButton(yasqe, true));
      yasqe.on("queryAbort", () => nameRunButton(yasqe, false));
      yasqe.__sahelWarnings = true;
    }
  }
  // The editor's text area and the endpoint field come without a name for assistive technology; the editor's
  // text area is described by the hint on how the keyboard leaves it (Tab indents; YASQE's Esc blurs it).
  function nameFields() {
    document.querySelectorAll("#yasgui .yasqe .CodeMirror textarea").forEach((area) => {
      area.setAttribute("aria-label", "SPARQL query");
      area.setAttribute("aria-describedby", "editor-keys");
    });
    // Run always asks this server (keepOnThisServer): an endpoint typed here would be put back, so it is not editable.
    document.querySelectorAll("#yasgui input.autocomplete").forEach((input) => {
      input.setAttribute("aria-label", "SPARQL endpoint");
      input.readOnly = true;
      input.title = "This editor asks this server; kg query --endpoint URL asks another";
    });
  }
  nameFields();
  // YASQE's share popup is made afresh on each click, its link field without a name (axe: critical).
  new MutationObserver(() => {
    document.querySelectorAll(".yasqe_sharePopup input:not([aria-label])").forEach((input) => {
      input.setAttribute("aria-label", "Link to this query");
    });
  }).observe(document.getElementById("yasgui"), { childList: true, subtree: true });
  Object.keys(yasgui._tabs).forEach((id) => hookWarnings(yasgui.getTab(id)));
  yasgui.on("tabAdd", (instance, id) => setTimeout(() => { hookWarnings(yasgui.getTab(id)); nameFields(); }, 0));
  yasgui.on("tabSelect", (instance, id) => setTimeout(() => { hookWarnings(yasgui.getTab(id)); showWarnings(null); nameFields(); }, 0));
  // The downloads ask again in formats the query's form can carry, as YASQE's parser reads the form (a PREFIX or
  // BASE on the query's own line hid a CONSTRUCT from a pattern), saved under a name for the format; an update
  // leaves nothing to download.
  const DOWNLOADS = { graph: [["ntriples", "N-Triples", "nt"], ["jsonld", "JSON-LD", "jsonld"]],
                      table: [["csv", "CSV", "csv"], ["json", "JSON", "json"]] };
  yasgui.on("query", (instance, tab) => {
    const yasqe = tab.getYasqe();
    const downloads = document.getElementById("downloads");
    downloads.hidden = yasqe.getQueryMode() === "update";
    if (downloads.hidden) return;
    const kind = ["CONSTRUCT", "DESCRIBE"].includes(yasqe.getQueryType()) ? "graph" : "table";
    const links = [document.getElementById("download-csv"), document.getElementById("download-json")];
    links.forEach((link, index) => {
      const [format, label, extension] = DOWNLOADS[kind][index];
      link.href = `${config.endpoint}?${new URLSearchParams({ query: tab.getQuery(), format: format })}`;
      link.textContent = label;
      link.download = `result.${extension}`;
      link.dataset.format = format;
    });
    downloads.dataset.query = tab.getQuery();
  });
  // The links ask by GET, which a long query takes past the server's URI limit (a 414 saved as the file): a
  // click posts the query, as Run does, and saves the answer under the link's name. The href stays, to copy.
  let savedFile = null;
  document.getElementById("downloads").addEventListener("click", async (event) => {
    const link = event.target.closest("a[data-format]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    const body = new URLSearchParams({ query: event.currentTarget.dataset.query, format: link.dataset.format });
    const response = await fetch(config.endpoint, { method: "POST", body: body });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      const item = document.createElement("li");
      item.textContent = `The download failed: ${problem.title || response.status}. ${problem.detail || ""}`;
      warnings.replaceChildren(item);
      warnings.hidden = false;
      return;
    }
    // The last file's address is let go only now: letting it go at once could cut its saving short.
    if (savedFile) URL.revokeObjectURL(savedFile);
    savedFile = URL.createObjectURL(await response.blob());
    const saved = document.createElement("a");
    saved.href = savedFile;
    saved.download = link.download;
    document.body.append(saved);
    saved.click();
    saved.remove();
  });
  window.sahelYasgui = yasgui;
})();
