"use strict";
// The search box of every page's header: any ranked project of the latest month, by name,
// leading to its page. Without this script the box is a link to the full list. The index
// (search.json: the names in rank order, see publisher/website/search.py) is fetched on the
// box's first use, never with the page.
(() => {
  const LIMIT = 10;  // names shown: the exact one, then those that start so, then the others
  // PEP 503 spelling: Foo_Bar, foo.bar and foo-bar are one project.
  const normal = (text) => text.trim().toLowerCase().replace(/[-_.\s]+/g, "-");
  // 7,444 as the pages write numbers (toLocaleString's first call loads the locale's data).
  const thousands = (count) => String(count).replace(/\B(?=(\d{3})+$)/g, ",");
  const holder = document.querySelector("header .search[data-index]");
  if (!holder || !window.fetch) return;
  const fallback = holder.querySelector("a");
  const source = new URL(holder.dataset.index, document.baseURI);

  function element(tag, properties, attributes = {}) {
    const made = Object.assign(document.createElement(tag), properties);
    for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, value);
    return made;
  }

  const label = element("label", { htmlFor: "search", textContent: "Find any project" });
  const input = element("input", {
    id: "search", type: "text", placeholder: "Find any project", autocomplete: "off",
    spellcheck: false,
  }, {
    role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false",
    "aria-controls": "search-results", enterkeyhint: "go",
  });
  const panel = element("div", { className: "results", hidden: true });
  const list = element("ul", { id: "search-results" }, {
    role: "listbox", "aria-label": "Projects found",
  });
  const status = element("p", { className: "status" }, { role: "status" });
  // The options are made once and rewritten in place: adding or removing nodes on each key
  // makes Chromium's form autofill read the whole page again (see site.js).
  const options = Array.from({ length: LIMIT }, (_, i) => {
    const option = element("li", { id: `search-option-${i}`, hidden: true }, {
      role: "option", "aria-selected": "false",
    });
    option.append("", element("span", { className: "rank" }));
    option.addEventListener("click", () => go(i));
    return option;
  });
  list.append(...options);
  panel.append(list, status);
  holder.setAttribute("role", "search");
  holder.replaceChildren(label, input, panel);

  let index = null;  // { names, keys, pages, addresses, list } once loaded
  let loading = null;
  let shown = [];  // positions in the index of the names shown
  let active = -1;  // the option chosen with the arrows, or -1

  function load() {
    loading ??= fetch(source)
      .then((response) => {
        if (!response.ok) throw new Error(`${response.status}`);
        return response.json();
      })
      .then((body) => {
        index = { ...body, keys: body.names.map(normal) };
        search();
        holder.dataset.state = "ready";  // for the tests and the benchmark to wait for
      })
      .catch(() => {
        holder.dataset.state = "failed";
        const link = element("a", { href: fallback.href, textContent: "the full list" });
        status.replaceChildren("The names could not be loaded: see ", link, ".");
        open(true);
      });
    if (!index) say("Loading the names…");
  }

  // Positions of the names that match: the exact name first, then names that start with
  // the query, then names that hold it, each in rank order; and how many match in all.
  function find(query) {
    const exact = [];
    const starting = [];
    const holding = [];
    let count = 0;
    index.keys.forEach((key, position) => {
      if (!key.includes(query)) return;
      count += 1;
      if (key === query) exact.push(position);
      else if (key.startsWith(query)) starting.length < LIMIT && starting.push(position);
      else holding.length < LIMIT && holding.push(position);
    });
    return [[...exact, ...starting, ...holding].slice(0, LIMIT), count];
  }

  function address(position) {
    const name = index.names[position];
    const path = position < index.pages
      ? index.addresses[name] ?? `project/${name}.html`
      : index.list;
    return new URL(path, source).href;
  }

  function say(text) {
    if (status.textContent !== text) status.textContent = text;
  }

  function open(opened) {
    if (panel.hidden === opened) panel.hidden = !opened;
    input.setAttribute("aria-expanded", String(opened && shown.length > 0));
  }

  function choose(choice) {
    active = choice;
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === choice)));
    if (choice < 0) input.removeAttribute("aria-activedescendant");
    else input.setAttribute("aria-activedescendant", options[choice].id);
  }

  function search() {
    const query = normal(input.value);
    if (!index || !query) {
      shown = [];
      open(!index && query !== "");
      return;
    }
    const [found, count] = find(query);
    shown = found;
    options.forEach((option, i) => {
      const position = shown[i];
      option.hidden = position === undefined;
      if (position === undefined) return;
      option.firstChild.nodeValue = index.names[position];
      option.lastChild.textContent = ` rank ${thousands(position + 1)}`;
    });
    list.hidden = shown.length === 0;
    say(count === 0 ? "No project matches."
      : count > shown.length ? `${thousands(count)} projects match; the first ${shown.length} are shown.`
      : "");
    choose(shown.length ? 0 : -1);
    open(true);
  }

  function go(i) {
    if (shown[i] !== undefined) window.location.assign(address(shown[i]));
  }

  function move(step) {
    if (!shown.length) return;
    if (panel.hidden) open(true);
    choose((active + step + shown.length) % shown.length);
    options[active].scrollIntoView({ block: "nearest" });
  }

  input.addEventListener("focus", () => {
    load();
    if (input.value) search();
  });
  input.addEventListener("input", search);
  input.addEventListener("blur", () => open(false));
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && shown.length) {
      event.preventDefault();
      go(Math.max(active, 0));
    } else if (event.key === "Escape") {
      if (!panel.hidden) open(false);
      else input.value = "";
    }
  });
  // A press on an option keeps the focus in the box, so its click lands before the blur.
  panel.addEventListener("mousedown", (event) => event.preventDefault());
})();
