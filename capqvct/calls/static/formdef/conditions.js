/*
 * Application forms (capqvct/calls/formdef): show the questions whose `show_if` condition is met,
 * and add or remove the items of repeated blocks in the page.
 *
 * Without JavaScript every question is shown, and the « Ajouter » / « Retirer » buttons submit the
 * form (add_item=<key>, remove_item=<key>.<index>), which the server applies the same way.
 * No dependency; include it with <script src="…/formdef/conditions.js" defer></script>.
 */
(function () {
  "use strict";

  var PLACEHOLDER = "__index__";

  function byName(root, name) {
    return root.querySelectorAll('[name="' + CSS.escape(name) + '"]');
  }

  function isMet(root, field) {
    var expected = field.getAttribute("data-show-if-value");
    var met = false;
    byName(root, field.getAttribute("data-show-if-name")).forEach(function (input) {
      // A question that is itself hidden gives no answer to the questions that depend on it.
      if (input.closest("[data-formdef-field][hidden]")) return;
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
      if (input.value === expected) met = true;
    });
    return met;
  }

  // Conditions always point to earlier questions: one pass in document order settles chains.
  function applyConditions(root) {
    root.querySelectorAll("[data-show-if-name]").forEach(function (field) {
      field.hidden = !isMet(root, field);
    });
  }

  // Renumber one item of a repeated block: names, ids, references and its visible number.
  function reindex(element, path, from, to) {
    var oldName = "answers." + path + "." + from + ".";
    var newName = "answers." + path + "." + to + ".";
    var oldId = "formdef-" + path.replace(/\./g, "-") + "-" + from;
    var newId = "formdef-" + path.replace(/\./g, "-") + "-" + to;
    var swapId = function (token) {
      return token === oldId || token.indexOf(oldId + "-") === 0 ? newId + token.slice(oldId.length) : token;
    };
    [element].concat(Array.prototype.slice.call(element.querySelectorAll("*"))).forEach(function (node) {
      ["name", "data-show-if-name"].forEach(function (attribute) {
        var value = node.getAttribute(attribute);
        if (value) node.setAttribute(attribute, value.split(oldName).join(newName));
      });
      ["id", "for", "aria-labelledby", "aria-describedby"].forEach(function (attribute) {
        var value = node.getAttribute(attribute);
        if (value) node.setAttribute(attribute, value.split(" ").map(swapId).join(" "));
      });
      if (node.hasAttribute("data-formdef-remove")) node.value = path + "." + to;
      if (node.hasAttribute("data-formdef-item")) node.setAttribute("data-formdef-item", String(to));
      if (node.hasAttribute("data-formdef-item-number")) node.textContent = String(to + 1);
    });
  }

  function items(block) {
    return block.querySelectorAll("[data-formdef-items] > * > [data-formdef-item]");
  }

  function refreshButtons(block) {
    var count = items(block).length;
    var min = parseInt(block.getAttribute("data-min-items"), 10) || 0;
    var max = parseInt(block.getAttribute("data-max-items"), 10) || 100;
    block.querySelector("[data-formdef-count]").value = String(count);
    block.querySelector("[data-formdef-add]").disabled = count >= max;
    block.querySelectorAll("[data-formdef-items] [data-formdef-remove]").forEach(function (button) {
      button.disabled = count <= min;
    });
  }

  function addItem(block) {
    var path = block.getAttribute("data-formdef-repeated");
    var count = items(block).length;
    var max = parseInt(block.getAttribute("data-max-items"), 10) || 100;
    if (count >= max) return;
    var fragment = block.querySelector("template[data-formdef-template]").content.cloneNode(true);
    var wrapper = fragment.firstElementChild;
    reindex(wrapper, path, PLACEHOLDER, count);
    block.querySelector("[data-formdef-items]").appendChild(fragment);
    refreshButtons(block);
    var first = wrapper.querySelector("input:not([type=hidden]), textarea, select");
    if (first) first.focus();
  }

  function removeItem(block, button) {
    var path = block.getAttribute("data-formdef-repeated");
    var item = button.closest("[data-formdef-item]");
    var index = parseInt(item.getAttribute("data-formdef-item"), 10);
    item.parentElement.remove();
    var rest = items(block);
    for (var i = index; i < rest.length; i++) reindex(rest[i].parentElement, path, i + 1, i);
    refreshButtons(block);
    block.querySelector("[data-formdef-add]").focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-formdef-add], [data-formdef-remove]");
    var root = button && button.closest("[data-formdef]");
    if (!root || button.disabled) return;
    event.preventDefault();
    var block = button.closest("[data-formdef-repeated]");
    if (button.hasAttribute("data-formdef-add")) addItem(block);
    else removeItem(block, button);
    applyConditions(root);
  });

  document.addEventListener("change", function (event) {
    var root = event.target.closest && event.target.closest("[data-formdef]");
    if (root) applyConditions(root);
  });

  function init(container) {
    if (container.matches && container.matches("[data-formdef]")) applyConditions(container);
    container.querySelectorAll("[data-formdef]").forEach(applyConditions);
  }

  // Pages that swap fragments with htmx get their new forms set up too.
  document.addEventListener("htmx:load", function (event) {
    init(event.detail.elt);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  } else {
    init(document);
  }
})();
