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

  fetch("/views/timeline.json").then((response) => response.json()).then((body) => {
    const raw = body.items;
    const articleDate = raw.map((row) => row.sourceNotBefore).filter(Boolean).sort()[0] || null;
    const marker = articleDate ? new Date(articleDate) : new Date();
    const items = new vis.DataSet();
    const byId = new Map();
    raw.forEach((row, index) => {
      if (byId.has(row.item + "|" + (row.claim || ""))) return;
      const id = `i${index}`;
      byId.set(row.item + "|" + (row.claim || ""), id);
      const title = row.kind === "phase" ? `${row.subjectLabel || row.subject}: ${row.statusLabel || "status"}` : (row.label || row.item);
      const when = row.spanLabel || "";
      const item = { id: id, content: `${title} — ${when}`, title: `${title} (${when}; precision: ${row.precisionLabel || "not given"})`, row: row };
      let earliest = null, latest = null;
      const position = (row.position || "").split("#").pop();
      if (row.startsNotBefore && row.endsNotAfter) {            // a year, or part of a year: the whole band
        item.start = new Date(row.startsNotBefore); item.end = dayAfter(row.endsNotAfter); item.type = "range";
        item.className = "band " + (row.precision || "").split("#").pop();
        earliest = row.startsNotBefore; latest = row.endsNotAfter;
      } else if (row.startsNotBefore && (row.ongoing === "true" || position === "AsOfSource")) {   // from then until the article
        item.start = new Date(row.startsNotBefore); item.end = marker; item.type = "range";
        item.className = "ongoing";
        earliest = row.startsNotBefore;
      } else if (position === "BeforeSource") {                  // before the article: no start is known
        item.start = marker; item.type = "box"; item.align = "right"; item.className = "relative before";
        item.content = `before the article: ${title}`;
      } else if (position === "AfterSource") {
        item.start = marker; item.type = "box"; item.align = "left"; item.className = "relative after";
        item.content = `after the article: ${title}`;
        earliest = articleDate;
      } else {                                                   // as of the article, date unknown
        item.start = marker; item.type = "point"; item.className = "relative as-of";
        item.content = `as of the article: ${title}`;
        earliest = articleDate;
      }
      item.earliest = earliest; item.latest = latest;
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

    function holds(item, day) {
      return (!item.earliest || item.earliest <= day) && (!item.latest || item.latest >= day);
    }
    function applyAsOf() {
      const day = asOf.value;
      let count = 0;
      items.forEach((item) => {
        const base = item.className.replace(/ ?(holds|not-holding)/g, "");
        const yes = day ? holds(item, day) : false;
        if (yes) count += 1;
        items.update({ id: item.id, className: day ? `${base} ${yes ? "holds" : "not-holding"}` : base });
      });
      try { timeline.removeCustomTime("as-of"); } catch (error) { /* none yet */ }
      if (day) {
        timeline.addCustomTime(new Date(day), "as-of");
        timeline.setCustomTimeMarker(`as of ${day}`, "as-of");
      }
      container.dataset.holding = String(count);
      summary.textContent = day ? `${count} of ${items.length} items may hold on ${day}.` : `${items.length} items.`;
    }
    asOf.addEventListener("change", applyAsOf);
    timeline.on("select", (event) => {
      const item = items.get(event.items[0]);
      details.replaceChildren();
      if (!item) return;
      const p = document.createElement("p");
      p.textContent = item.title + " ";
      const row = item.row;
      if (row.itemHref) { const a = document.createElement("a"); a.href = row.itemHref; a.textContent = "its page"; p.append(a); }
      if (row.claimHref) { const a = document.createElement("a"); a.href = row.claimHref; a.textContent = "the claim"; p.append(" · ", a); }
      details.append(p);
    });
    applyAsOf();
  });
})();
