"use strict";
// Progressive enhancement: without this script every table is complete and every link
// works. With it: an as-you-type filter and sortable columns on a ranking, copy buttons.
(() => {
  // The filter shows the first LIMIT matches in a table of their own. Showing and hiding
  // 15,000 rows one by one costs a frame or more a keystroke; this costs a scan of the names
  // and a few dozen rows.
  const LIMIT = 25;
  // The Downloads column (the third, as site.css aligns it): its first click sorts most
  // first, as the ranking is; every other column's first click sorts ascending.
  const MOST_FIRST = 2;
  const normal = (text) => text.trim().toLowerCase().replace(/[-_.\s]+/g, "-");
  const number = (text) => Number(text.replace(/,/g, ""));
  // 7,444 as the page writes numbers; not toLocaleString, whose first call loads the
  // locale's data: 20 ms or more on the first key.
  const thousands = (count) => String(count).replace(/\B(?=(\d{3})+$)/g, ",");

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

  // Makes `target` show what `source` shows by changing its texts and attributes in place;
  // only where their elements differ (a name without a link, a flag) are its children
  // replaced. Adding or removing a node, unlike changing a text, makes Chromium's form
  // autofill read the whole page again after the next key: 5 to 10 ms with 15,000 rows.
  function rewrite(target, source) {
    for (const { name, value } of source.attributes) {
      if (target.getAttribute(name) !== value) target.setAttribute(name, value);
    }
    for (const { name } of Array.from(target.attributes)) {
      if (!source.hasAttribute(name)) target.removeAttribute(name);
    }
    const from = source.childNodes;
    const to = target.childNodes;
    if (from.length === 0 && to.length === 1 && to[0].nodeType === Node.TEXT_NODE) {
      to[0].nodeValue = "";  // a blank cell: an empty text, kept for the next row's
      return;
    }
    const alike = from.length === to.length
      && Array.prototype.every.call(from, (node, i) => node.nodeName === to[i].nodeName);
    if (!alike) {
      target.replaceChildren(...Array.from(from, (node) => node.cloneNode(true)));
      return;
    }
    for (let i = 0; i < from.length; i++) {
      if (from[i].nodeType === Node.ELEMENT_NODE) rewrite(to[i], from[i]);
      else if (to[i].nodeValue !== from[i].nodeValue) to[i].nodeValue = from[i].nodeValue;
    }
  }

  function enhanceRanking(table, box) {
    // Matches show in a second, small table; the full one is skipped while they do
    // (content-visibility: hidden on its box). Clearing the filter removes that one class:
    // its row groups off screen stay skipped (content-visibility: auto), so only the first
    // screen of rows is laid out again, not 15,000.
    const whole = table.parentElement;
    const bodies = Array.from(table.tBodies);
    const perGroup = bodies.length ? bodies[0].rows.length : 0;
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

    // The matches' table is made once, hidden, with copies of the first LIMIT rows: a search
    // rewrites them (see rewrite) and hides those it does not need; "Show all" copies the
    // other matches into a second row group, emptied by the next search.
    const found = document.createElement("table");
    found.className = table.className;
    found.hidden = true;
    found.createCaption().textContent = "Projects that match";
    const showing = [];  // the row each copy shows
    for (const body of bodies) {
      for (const row of body.rows) if (showing.length < LIMIT) showing.push(row);
    }
    const copies = showing.map((row) => row.cloneNode(true));
    const others = document.createElement("tbody");
    others.hidden = true;
    found.append(table.tHead.cloneNode(true), document.createElement("tbody"), others);
    found.tBodies[0].append(...copies);
    const foundHeads = Array.from(found.tHead.rows[0].cells);
    if (!status.firstChild) status.append("");  // a text node to change (see say)

    // Changes an element's text in place and a flag only if it differs: see rewrite.
    function say(element, text) {
      if (element.firstChild.nodeValue !== text) element.firstChild.nodeValue = text;
    }

    function hide(element, hidden) {
      if (element.hidden !== hidden) element.hidden = hidden;
    }

    function showOthers(count) {
      const rest = matches.slice(copies.length, count);
      if (rest.length || others.rows.length) {
        others.replaceChildren(...rest.map((position) => rows[position].cloneNode(true)));
      }
      hide(others, rest.length === 0);
    }

    function show(count) {
      const shown = Math.min(count, matches.length);
      copies.forEach((copy, i) => {
        const row = i < shown ? rows[matches[i]] : null;
        if (row && showing[i] !== row) rewrite(copy, row);
        if (row) showing[i] = row;
        hide(copy, !row);
      });
      showOthers(shown);
      const all = thousands(matches.length);
      say(status, matches.length === 0 ? "No project matches."
        : shown < matches.length ? `${all} projects match; the first ${shown} are shown.`
        : `${all} project${matches.length === 1 ? "" : "s"} match.`);
      say(more, `Show all ${all} matches`);
      hide(more, shown >= matches.length);
    }

    function filter() {
      const query = normal(input.value);
      matches = [];
      if (!query) {
        showOthers(0);
        hide(found, true);
        whole.classList.remove("filtered");
        hide(more, true);
        say(status, "");
        return;
      }
      index();
      for (let position = 0; position < names.length; position++) {
        if (names[position].includes(query)) matches.push(position);
      }
      show(LIMIT);
      // In the page from the first search on (the ranking's box takes no room while skipped).
      if (!found.isConnected) whole.after(found);
      hide(found, false);
      whole.classList.add("filtered");
    }

    const heads = Array.from(table.tHead.rows[0].cells);

    function sortBy(column) {
      const now = heads[column].getAttribute("aria-sort");
      const ascending = now ? now === "descending" : column !== MOST_FIRST;
      for (const th of [...heads, ...foundHeads]) th.removeAttribute("aria-sort");
      for (const th of [heads[column], foundHeads[column]]) {
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      }
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
      if (input.value) filter();
    }

    heads.forEach((th, column) => {
      for (const cell of [th, foundHeads[column]]) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = th.textContent;
        cell.replaceChildren(button);
        button.addEventListener("click", () => sortBy(column));
      }
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
