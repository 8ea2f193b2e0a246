// The draft rotation grid: each cell is a button, and one editor (a list of the row's choices)
// opens on the cell chosen. Keyboard: the arrow keys move between cells (one tab stop for the
// whole grid), Enter opens the editor, typing a letter opens it on the first rotation with that
// letter; in the list, Enter saves and Esc cancels. A save posts the one cell; the answer
// (htmx, out-of-band swaps) replaces only the trainee's row, the rules list and the revision.
(function () {
  "use strict";

  var editor = null; // {td, tr, pane} while the editor is open

  function gridRoot() { return document.getElementById("grid"); }
  function table() { return document.querySelector("#grid table.rotation-grid.editable"); }

  function cellAt(tr, index) {
    var tds = tr ? tr.querySelectorAll("td:not(.totals)") : [];
    return tds[Math.max(0, Math.min(index, tds.length - 1))] || null;
  }

  function indexOf(td) {
    return Array.prototype.indexOf.call(td.parentElement.querySelectorAll("td:not(.totals)"), td);
  }

  function rows() {
    var t = table();
    return t ? Array.prototype.slice.call(t.tBodies[0].rows).filter(function (r) { return r.id; }) : [];
  }

  // One tab stop: the focused (or first) cell; the arrows move it.
  function rove(target) {
    var t = table();
    if (!t) return;
    t.querySelectorAll("td button[tabindex='0']").forEach(function (b) { b.tabIndex = -1; });
    target.tabIndex = 0;
  }

  function prepare(root) {
    var t = table();
    if (!t || !(root === document || t.contains(root) || root.contains(t) || root.tagName === "TR")) return;
    t.querySelectorAll("td button").forEach(function (b) { if (b.tabIndex !== 0) b.tabIndex = -1; });
    if (!t.querySelector("td button[tabindex='0']")) {
      var first = t.querySelector("td button");
      if (first) first.tabIndex = 0;
    }
  }

  function focusCell(tr, index) {
    var td = cellAt(tr, index);
    var button = td && td.querySelector("button");
    if (button) { rove(button); button.focus(); }
  }

  function move(td, key) {
    var tr = td.parentElement, index = indexOf(td), all = rows(), at = all.indexOf(tr);
    if (key === "ArrowLeft") focusCell(tr, index - 1);
    else if (key === "ArrowRight") focusCell(tr, index + 1);
    else if (key === "ArrowUp" && at > 0) focusCell(all[at - 1], index);
    else if (key === "ArrowDown" && at < all.length - 1) focusCell(all[at + 1], index);
    else if (key === "Home") focusCell(tr, 0);
    else if (key === "End") focusCell(tr, 999);
  }

  function blockOf(td) {
    var th = table().tHead.rows[0].cells[indexOf(td) + 1];
    return { pk: th.getAttribute("data-b"), label: "block " + th.getAttribute("data-n") };
  }

  function fillMenu(select, tr, td) {
    var menu = document.getElementById("menu-" + tr.getAttribute("data-m"));
    select.innerHTML = "";
    if (menu) select.appendChild(menu.content.cloneNode(true));
    var value = td.getAttribute("data-v") || "";
    var found = Array.prototype.some.call(select.options, function (o) { return o.value === value; });
    if (!found) {
      var now = document.createElement("option");
      now.value = value;
      now.textContent = "Now: " + td.querySelector("button").textContent;
      select.insertBefore(now, select.firstChild);
    }
    select.value = value;
  }

  function open(td, letter) {
    var root = gridRoot(), pop = document.getElementById("cell-editor");
    if (!pop) return;
    close(false);
    var tr = td.parentElement, block = blockOf(td);
    var pane = td.classList.contains("history") ? "history" : td.classList.contains("locked") ? "locked" : "edit";
    editor = { td: td, tr: tr, pane: pane, trainee: tr.id.slice(1), block: block.pk };
    pop.className = "card cell-pop pane-" + pane;
    document.getElementById("ce-title").textContent =
      tr.querySelector(".tn").textContent + ", " + block.label + ": " + td.querySelector("button").getAttribute("aria-label").split(": ").slice(1).join(": ");
    var list = document.getElementById("ce-findings");
    list.innerHTML = "";
    (td.getAttribute("title") || "").split("; ").filter(Boolean).forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      list.appendChild(li);
    });
    var correct = pop.querySelector("[data-ce='correct']");
    correct.href = root.getAttribute("data-correct-url").replace("/0/0/", "/" + editor.trainee + "/" + editor.block + "/");
    var select = document.getElementById("ce-select");
    if (pane === "edit") fillMenu(select, tr, td);
    pop.hidden = false;
    place(pop, td, root);
    if (pane === "edit") {
      select.focus();
      if (letter) choose(select, letter);
    } else {
      pop.querySelector(".ce-" + pane + " .btn-primary").focus();
    }
  }

  function choose(select, letter) {
    var wanted = letter.toLowerCase();
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].textContent.toLowerCase().indexOf(wanted) === 0) {
        select.selectedIndex = i;
        return;
      }
    }
  }

  // Next to the cell on a wide screen; on a phone the stylesheet makes it a sheet at the bottom.
  function place(pop, td, root) {
    var box = td.getBoundingClientRect(), base = root.getBoundingClientRect();
    var left = Math.min(box.left - base.left, Math.max(0, root.clientWidth - pop.offsetWidth));
    pop.style.left = Math.max(0, left) + "px";
    pop.style.top = (box.bottom - base.top + 4) + "px";
  }

  function close(refocus) {
    var pop = document.getElementById("cell-editor");
    if (pop) pop.hidden = true;
    var was = editor;
    editor = null;
    if (refocus && was) focusCell(document.getElementById(was.tr.id), indexOf(was.td));
  }

  function csrf() {
    try { return JSON.parse(gridRoot().getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function send(url, values) {
    var was = editor, index = indexOf(was.td), rowId = was.tr.id;
    values.trainee = was.trainee;
    values.block = was.block;
    values.revision = document.getElementById("grid-revision").value;
    close(false);
    var pending = document.getElementById(rowId);
    if (pending) pending.classList.add("saving");
    window.htmx.ajax("POST", url, {
      target: "#grid", swap: "none", values: values, headers: { "X-CSRFToken": csrf() }
    }).then(function () {
      // On success the row was replaced; on a failed request the old one is still there.
      var row = document.getElementById(rowId);
      if (row) row.classList.remove("saving");
      prepare(document);
      focusCell(row, index);
    });
  }

  function save() {
    var select = document.getElementById("ce-select");
    if (!editor) return;
    if (select.value === (editor.td.getAttribute("data-v") || "") || select.value === "") {
      close(true);
      return;
    }
    send(gridRoot().getAttribute("data-cell-url"), { rotation: select.value });
  }

  function lock(on) {
    if (editor) send(gridRoot().getAttribute("data-lock-url"), { locked: on ? "1" : "0" });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("table.rotation-grid.editable td button");
    if (button) { rove(button); open(button.parentElement, ""); return; }
    var action = event.target.closest && event.target.closest("#cell-editor [data-ce]");
    if (!action) {
      if (editor && !event.target.closest("#cell-editor")) close(false);
      return;
    }
    var what = action.getAttribute("data-ce");
    if (what === "save") save();
    else if (what === "cancel") close(true);
    else if (what === "lock") lock(true);
    else if (what === "unlock") lock(false);
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (editor && event.key === "Escape") { event.preventDefault(); close(true); return; }
    if (target.id === "ce-select" && event.key === "Enter") { event.preventDefault(); save(); return; }
    if (!target.closest || !target.closest("table.rotation-grid.editable td")) return;
    if (/^Arrow|^Home$|^End$/.test(event.key)) { event.preventDefault(); move(target.parentElement, event.key); return; }
    if (event.key.length === 1 && /\S/.test(event.key) && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      open(target.parentElement, event.key);
    }
  });

  document.addEventListener("dblclick", function (event) {
    if (event.target.closest && event.target.closest("#ce-select")) save();
  });

  // The whole name shows on hover too (the cell says it short).
  document.addEventListener("mouseover", function (event) {
    var button = event.target.closest && event.target.closest("table.rotation-grid td button");
    if (button && !button.title) button.title = button.getAttribute("aria-label");
  });

  // The program year's vacation requests: "Tick all" ticks every request in its form.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-tick-all]");
    if (!button) return;
    var name = button.getAttribute("data-tick-all");
    button.form.querySelectorAll("input[type='checkbox'][name='" + name + "']").forEach(function (box) { box.checked = true; });
  });

  if (window.htmx) window.htmx.onLoad(prepare);
  else document.addEventListener("DOMContentLoaded", function () { prepare(document); });
})();
