// Literals and IRIs as the server sent them. YASR's parser of SPARQL JSON and XML answers fills in `{{name}}`
// in every literal with ?name's value, or with the bare name (a templating feature it gives no way to turn off), so
// "a {{b}} c" was shown, copied and downloaded as "a b c". Each answer's bindings are read again from the
// response as it came, before any view draws them. Loaded after yasgui.min.js, before the Yasgui is made.
(function () {
  "use strict";
  const patched = new WeakSet();

  // Each <result>'s binding values by name, in order, of the kinds YASR's XML reader keeps (it skips a result
  // left with none, so the rows line up). It drops a literal's language too: kept here.
  const KINDS = ["uri", "literal", "bnode"];
  function xmlValues(text) {
    const doc = new DOMParser().parseFromString(text, "text/xml");
    return [...doc.getElementsByTagName("result")].map((result) => {
      const values = {};
      [...result.getElementsByTagName("binding")].forEach((binding) => {
        const value = binding.firstElementChild;
        if (value && KINDS.includes(value.localName)) values[binding.getAttribute("name")] = value;
      });
      return values;
    }).filter((values) => Object.keys(values).length > 0);
  }

  function restore(parser, json) {
    const bindings = json && json.results && json.results.bindings;
    if (!bindings) return;
    const text = parser.getOriginalResponseAsString();
    if (typeof text !== "string") return;
    if (parser.type === "json") {
      json.results.bindings = JSON.parse(text).results.bindings;
    } else if (parser.type === "xml") {
      xmlValues(text).forEach((values, row) => {
        Object.entries(values).forEach(([name, value]) => {
          const binding = bindings[row] && bindings[row][name];
          if (!binding) return;
          binding.value = value.textContent;
          const language = value.getAttributeNS("http://www.w3.org/XML/1998/namespace", "lang");
          if (language) binding["xml:lang"] = language;
        });
      });
    }
  }

  function patch(prototype) {
    if (patched.has(prototype)) return;
    patched.add(prototype);
    const getAsJson = prototype.getAsJson;
    prototype.getAsJson = function () {
      if (this.json || this.json === false) return getAsJson.apply(this, arguments);
      const json = getAsJson.apply(this, arguments);
      try { restore(this, json); } catch (error) { /* an answer YASR read but this cannot: YASR's reading stays */ }
      return json;
    };
  }

  // The table writes an IRI into its HTML unescaped: "&amp;" in an IRI showed as "&", and a "'" ended the
  // link's href. The same cell, every part escaped; as on the pages, only a web address is a link (a
  // javascript: IRI in the data must not run).
  const escape = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const Table = Yasgui.Yasr.plugins.table;
  Table.prototype.getUriLinkFromBinding = function (binding, prefixes) {
    const iri = binding.value;
    const prefix = Object.keys(prefixes || {}).find((name) => iri.indexOf(prefixes[name]) === 0);
    const shown = prefix === undefined ? iri : `${prefix}:${iri.substring(prefixes[prefix].length)}`;
    const bare = prefix !== undefined || this.persistentConfig.compact;
    const newWindow = this.config.openIriInNewWindow;
    const link = /^https?:/i.test(iri)
      ? `<a class="iri" target="${newWindow ? "_blank" : "_self"}"${newWindow ? ' rel="noopener noreferrer"' : ""}` +
        ` href="${escape(iri)}">${escape(shown)}</a>`
      : `<span class="iri">${escape(shown)}</span>`;
    return `${bare ? "" : "&lt;"}${link}${bare ? "" : "&gt;"}`;
  };

  // A literal's control characters as their pictures (bidi.js), as the pages show them; downloads keep them.
  const formatLiteral = Table.prototype.formatLiteral;
  Table.prototype.formatLiteral = function (binding, prefixes) {
    return formatLiteral.call(this, { ...binding, value: window.sahelShown(binding.value) }, prefixes);
  };

  // YASR's parser class is not exported: it is reached through the first answer, before that answer is drawn.
  const draw = Yasgui.Yasr.prototype.draw;
  Yasgui.Yasr.prototype.draw = function () {
    if (this.results) patch(Object.getPrototypeOf(this.results));
    return draw.apply(this, arguments);
  };
})();
