"use strict";
// Progressive enhancement: without this script every table is complete and every link
// works. With it: an as-you-type filter and sortable columns on a ranking, copy buttons.
(() => {
  // The filter shows the first LIMIT matches, copied into a table of their own. Showing and
  // hiding 15,000 rows one by one costs a frame or more a keystroke; this costs a scan of
  // the names and a few dozen rows.
  const LIMIT = 50;
  const normal = (text) => text.trim().toLowerCase().replace(/[-_.\s]+/g, "-");
  const number = (text) => Number(text.replace(/,/g, ""));

  // A cell's sort key, from its text alone: numbers, shares, rank changes, then words
  // (a blank cell is "", which sorts first both among numbers and among words).
  function key(text) {
    const words = text.trim();
    if (/^[\d,]+$/.test(words)) return number(words);
    if (/^[\d.]+%$/.test(words)) return parseFloat(words);
    const moved = /^(up|down) ([\d,]+)$/.exec(words);
    if (moved) return (moved[1] === "up" ? 1 : -1) * number(moved[2]);
    if (words === "same") return 0;
    if (words === "new") return Infinity;
    return words;
  }

  function enhanceRanking(table, box) {
    // Matches go into a second, small table; the full one is skipped while they show
    // (content-visibility: hidden on its box). Clearing the filter removes that one class:
    // its row groups off screen stay skipped (content-visibility: auto), so only the first
    // screen of rows is laid out again, not 15,000.
    const whole = table.parentElement;
    const bodies = Array.from(table.tBodies);
    const perGroup = bodies.length ? bodies[0].rows.length : 0;
    let found = null;  // the matches' table, made on the first search
    const input = box.querySelector("input");
    const status = box.querySelector(".status");
    const more = box.querySelector("button");
    // The index of names is made one row group at a time while the page is idle after load:
    // no long task while it loads, and no 15,000 names to read on the first key. A search or
    // sort that comes first finishes it at once.
    let rows = [];
    let names = [];
    let indexed = 0;  // row groups in the index
    let original = null;  // a row's position as built, to keep sorts stable
    let matches = [];

    function indexGroup() {
      for (const row of bodies[indexed].rows) {
        rows.push(row);
        names.push(normal(row.cells[1].textContent));
      }
      indexed += 1;
    }

    function index() {
      while (indexed < bodies.length) indexGroup();
    }

    function indexWhenIdle(deadline) {
      while (indexed < bodies.length && deadline.timeRemaining() > 1) indexGroup();
      if (indexed < bodies.length) requestIdleCallback(indexWhenIdle);
    }

    function foundTable() {
      if (!found) {
        found = document.createElement("table");
        found.className = table.className;
        found.createCaption().textContent = "Projects that match";
        found.append(table.tHead.cloneNode(true), document.createElement("tbody"));
        found.tHead.querySelectorAll("button").forEach((button, column) => {
          button.addEventListener("click", () => sortBy(column));
        });
        whole.before(found);
      }
      return found;
    }

    function show(count) {
      const shown = matches.slice(0, count);
      const copies = shown.map((position) => rows[position].cloneNode(true));
      foundTable().tBodies[0].replaceChildren(...copies);
      const all = matches.length.toLocaleString("en");
      status.textContent = matches.length === 0 ? "No project matches."
        : shown.length < matches.length ? `${all} projects match; the first ${shown.length} are shown.`
        : `${all} project${matches.length === 1 ? "" : "s"} match.`;
      more.textContent = `Show all ${all} matches`;
      more.hidden = shown.length >= matches.length;
    }

    function filter() {
      const query = normal(input.value);
      if (!query) {
        matches = [];
        if (found) found.remove();
        found = null;
        whole.classList.remove("filtered");
        more.hidden = true;
        status.textContent = "";
        return;
      }
      index();
      matches = [];
      for (let position = 0; position < names.length; position++) {
        if (names[position].includes(query)) matches.push(position);
      }
      show(LIMIT);
      whole.classList.add("filtered");
    }

    const heads = Array.from(table.tHead.rows[0].cells);

    function sortBy(column) {
      const th = heads[column];
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      for (const other of heads) other.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const sign = ascending ? 1 : -1;
      index();
      original ??= new Map(rows.map((row, position) => [row, position]));
      const keyed = rows.map((row) => [key(row.cells[column].textContent), original.get(row), row]);
      keyed.sort((a, b) => (a[0] < b[0] ? -sign : a[0] > b[0] ? sign : a[1] - b[1]));
      rows = keyed.map((entry) => entry[2]);
      names = rows.map((row) => normal(row.cells[1].textContent));
      // The sorted rows refill the groups in order, each group as many as before.
      bodies.forEach((body, group) => {
        body.replaceChildren(...rows.slice(group * perGroup, (group + 1) * perGroup));
      });
      if (found) found.remove();
      found = null;
      if (input.value) filter();
    }

    heads.forEach((th, column) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.replaceChildren(button);
      button.addEventListener("click", () => sortBy(column));
    });
    input.addEventListener("input", filter);
    more.addEventListener("click", () => show(matches.length));
    box.hidden = false;
    if (window.requestIdleCallback) requestIdleCallback(indexWhenIdle);
  }

  function enhanceCopy(button) {
    const source = document.getElementById(button.dataset.copy);
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(source.textContent);
        button.textContent = "Copied";
      } catch {
        // No clipboard (an insecure origin, a refused permission): select it for Ctrl+C.
        const range = document.createRange();
        range.selectNodeContents(source);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        button.textContent = "Selected: press Ctrl+C";
      }
    });
  }

  const table = document.querySelector(".ranking-box > table.ranking");
  const box = document.querySelector(".filter");
  if (table && box) enhanceRanking(table, box);
  for (const button of document.querySelectorAll("button.copy")) enhanceCopy(button);
})();
