// The views' "as of" day kept in the page's address (?as_of=YYYY-MM-DD), so that a view is shared, and
// reopened, at the day it was set to.
(function () {
  "use strict";
  window.sahelAsOfFromAddress = function () {
    const day = new URLSearchParams(window.location.search).get("as_of");
    return day && /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : "";
  };
  window.sahelAsOfToAddress = function (day) {
    const here = new URL(window.location.href);
    if (day) here.searchParams.set("as_of", day); else here.searchParams.delete("as_of");
    window.history.replaceState(null, "", here);  // not a new history entry per day tried
  };
})();
