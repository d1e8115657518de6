// The timeline view: items from /views/timeline.json drawn with the precision they have, and an
// "as of" date that marks what may hold that day.
(function () {
  "use strict";
  const container = document.getElementById("timeline");
  const asOf = document.getElementById("as-of");
  const details = document.getElementById("item-details");
  const summary = document.getElementById("timeline-summary");
  const DAY = 24 * 3600 * 1000;

  function dayAfter(text) { return new Date(Date.parse(text) + DAY); }
  // A span of text and nodes (labels from the data come as <bdi>, isolated for their direction).
  function textElement(...parts) { const span = document.createElement("span"); span.append(...parts); return span; }
  const copy = (element) => element.cloneNode(true);

  fetch("/views/timeline.json").then((response) => response.json()).then((body) => {
    const raw = body.items.map(window.sahelShownRow);
    const articleDate = raw.map((row) => row.sourceNotBefore).filter(Boolean).sort()[0] || null;
    const marker = articleDate ? new Date(articleDate) : new Date();
    const items = new vis.DataSet();
    // One item a thing and span, whatever the number of claims that state it (a phase two claims state was drawn
    // twice); its claims are listed in its details. Spans that sources give apart stay apart: they disagree.
    const byId = new Map();
    const claimsOf = new Map();
    raw.forEach((row, index) => {
      const key = row.item + "|" + (row.span || "");
      if (byId.has(key)) {
        const claims = claimsOf.get(byId.get(key));
        if (row.claimHref && !claims.includes(row.claimHref)) claims.push(row.claimHref);
        return;
      }
      const id = `i${index}`;
      byId.set(key, id);
      claimsOf.set(id, row.claimHref ? [row.claimHref] : []);
      // A claim that forecasts, warns or argues is no fact: said beside the item ("forecast, likely")
      const how = (row.modality || "").endsWith("#Asserted") || !row.modalityLabel ? []
        : [` (${[row.modalityLabel, row.certaintyLabel].filter((word) => word && word !== "unhedged").join(", ")})`];
      const title = () => (row.kind === "phase"
        ? [window.sahelBdi(row.subjectLabel || row.subject), ": ", window.sahelBdi(row.statusLabel || "status"), ...how]
        : [window.sahelBdi(row.label || row.item), ...how]);
      const when = row.spanLabel || "";
      // Elements, not strings: vis-timeline reads a string as HTML, and labels are the data's own text.
      const item = { id: id, content: textElement(...title(), ` — ${when}`),
                     title: textElement(...title(), ` (${when}; precision: ${row.precisionLabel || "not given"})`), row: row };
      const position = (row.position || "").split("#").pop();
      if (row.startsNotBefore && row.endsNotAfter) {            // a year, or part of a year: the whole band
        item.start = new Date(row.startsNotBefore); item.end = dayAfter(row.endsNotAfter); item.type = "range";
        item.className = "band " + (row.precision || "").split("#").pop();
      } else if (row.startsNotBefore && (row.ongoing === "true" || position === "AsOfSource")) {   // from then until the article
        item.start = new Date(row.startsNotBefore); item.end = marker; item.type = "range";
        item.className = "ongoing";
      } else {
        // Placed only against the article (before, after or as of it): a point at the article's marker,
        // never a bar, since no start or end date is known.
        const relation = { BeforeSource: "before", AfterSource: "after" }[position] || "as of";
        item.start = marker; item.type = "point";
        item.rank = { before: -1, after: 1 }[relation] || 0;  // at the marker, in the order of the words
        item.className = `relative ${relation === "as of" ? "as-of" : relation}`;
        item.content = textElement(`${relation} the article: `, ...title());
      }
      item.bounds = [row.startsNotBefore, row.startsNotAfter, row.endsNotBefore, row.endsNotAfter];
      items.add(item);
    });
    const timeline = new vis.Timeline(container, items, {
      stack: true, zoomable: true, orientation: "top", margin: { item: 6 },
      start: new Date("2022-06-01"), end: new Date(marker.getTime() + 200 * DAY),
    });
    if (articleDate) {
      timeline.addCustomTime(marker, "article");
      timeline.setCustomTimeMarker(`article date unknown (not before ${articleDate})`, "article");
      timeline.setCustomTimeTitle(`The article's own date is unknown; it is not before ${articleDate}.`, "article");
    }
    container.dataset.items = String(items.length);
    // Items whose bounds are no dates or out of order (the JSON's left_out): listed with why, never drawn.
    const leftOut = body.left_out || [];
    container.dataset.leftOut = String(leftOut.length);
    document.getElementById("left-out-items").replaceChildren(...leftOut.map((row) => {
      const entry = document.createElement("li");
      const name = window.sahelBdi(row.label || row.item);
      if (row.itemHref) { const a = document.createElement("a"); a.href = row.itemHref; a.append(name); entry.append(a); }
      else entry.append(name);
      entry.append(`: ${row.why}`);
      return entry;
    }));
    document.getElementById("left-out-section").hidden = leftOut.length === 0;
    const notDrawn = leftOut.length ? ` ${leftOut.length} not drawn: their dates are malformed (listed below).` : "";
    // Points at the marker may run off a narrow screen: each is also listed in full below the axis.
    const relativeList = document.getElementById("relative-items");
    // Time order: at one start, before the article, then as of it, then after it (not "after" < "as of" < "before",
    // as the text alone sorts them), then by text
    const inTimeOrder = (a, b) => a.start - b.start || (a.rank || 0) - (b.rank || 0)
      || a.content.textContent.localeCompare(b.content.textContent);
    items.get().sort(inTimeOrder).forEach((item) => {
      if (!/\brelative\b/.test(item.className)) return;
      const entry = document.createElement("li");
      entry.append(copy(item.content));
      entry.dataset.item = item.id;
      relativeList.append(entry);
    });
    document.getElementById("relative-section").hidden = relativeList.children.length === 0;

    // The rules of kg/timespans.py and as-of-status.rq, on the span's four flat bounds (dates as text).
    function holding(item, day) {
      const [startsNotBefore, startsNotAfter, endsNotBefore, endsNotAfter] = item.bounds;
      if ((startsNotBefore && day < startsNotBefore) || (endsNotAfter && day > endsNotAfter)) return "not";
      if (startsNotAfter && endsNotBefore && startsNotAfter <= day && day <= endsNotBefore) return "certainly";
      return "possibly";
    }
    const CLASS = { certainly: "holds", possibly: "may-hold", not: "not-holding" };
    function applyAsOf() {
      const day = asOf.value;
      window.sahelAsOfToAddress(day);
      const counts = { certainly: 0, possibly: 0, not: 0 };
      items.forEach((item) => {
        const base = item.className.replace(/ ?(holds|may-hold|not-holding)/g, "");
        const state = day ? holding(item, day) : null;
        if (state) counts[state] += 1;
        items.update({ id: item.id, className: state ? `${base} ${CLASS[state]}` : base });
      });
      const count = counts.certainly;
      try { timeline.removeCustomTime("as-of"); } catch (error) { /* none yet */ }
      if (day) {
        timeline.addCustomTime(new Date(day), "as-of");
        timeline.setCustomTimeMarker(`as of ${day}`, "as-of");
      }
      container.dataset.holding = String(count);
      container.dataset.possibly = String(counts.possibly);
      summary.textContent = day ? `On ${day}, of ${items.length} items: ${count} certainly held, ${counts.possibly} ` +
        `possibly (their dates do not rule it out), ${counts.not} did not.${notDrawn}` : `${items.length} items.${notDrawn}`;
    }
    asOf.addEventListener("change", applyAsOf);
    function showItem(id) {
      const item = items.get(id);
      details.replaceChildren();
      if (!item) return;
      const p = document.createElement("p");
      p.append(copy(item.title), " ");
      const row = item.row;
      if (row.itemHref) { const a = document.createElement("a"); a.href = row.itemHref; a.textContent = "its page"; p.append(a); }
      const claims = claimsOf.get(id) || [];
      claims.forEach((href, number) => {
        const a = document.createElement("a");
        a.href = href;
        a.textContent = claims.length === 1 ? "the claim" : `claim ${number + 1}`;
        p.append(number === 0 ? " · stated by " : ", ", a);
      });
      details.append(p);
    }
    timeline.on("select", (event) => showItem(event.items[0]));
    // The axis answers the mouse only: the list says the same, each item a button that selects it there.
    const itemList = document.getElementById("item-list");
    const ordered = items.get().sort(inTimeOrder);
    itemList.replaceChildren(...ordered.map((item) => {
      const entry = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "item-button";
      button.append(copy(item.title));
      button.dataset.item = item.id;
      button.addEventListener("click", () => {
        timeline.setSelection(item.id, { focus: true, animation: false });
        showItem(item.id);
        details.focus();
      });
      entry.append(button);
      return entry;
    }));
    asOf.value = window.sahelAsOfFromAddress() || asOf.value;  // a shared address's day, else one the browser kept
    applyAsOf();
  });
})();
