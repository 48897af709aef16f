// Refuse, before it is sent, a file larger than its question allows (data-max-size, in bytes): the
// message goes under the field, as the server's would, and the input is emptied so that the rest of
// the form can still be saved. Progressive enhancement: without this script the server refuses it.
(function () {
  "use strict";

  function megabytes(bytes) {
    return (Math.round(bytes / 104857.6) / 10).toLocaleString("fr-FR") + "\u00a0Mo";
  }

  function messageFor(input) {
    var id = input.id + "-size-error";
    var message = document.getElementById(id);
    if (!message) {
      message = document.createElement("p");
      message.id = id;
      message.className = "fr-message fr-message--error fr-error-text";
      var group = document.createElement("div");
      group.className = "fr-messages-group";
      group.setAttribute("aria-live", "polite");
      group.appendChild(message);
      input.insertAdjacentElement("afterend", group);
    }
    return message;
  }

  function describedBy(input, id, present) {
    var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (part) {
      return part && part !== id;
    });
    if (present) ids.push(id);
    if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  function check(input) {
    var limit = Number(input.dataset.maxSize);
    var file = input.files && input.files[0];
    var group = input.closest(".fr-upload-group");
    var id = input.id + "-size-error";
    if (!limit || !file || file.size <= limit) {
      var previous = document.getElementById(id);
      if (previous) previous.parentNode.remove();
      describedBy(input, id, false);
      // The server's own message, if any, still stands.
      if (!document.getElementById(input.id + "-errors")) {
        input.removeAttribute("aria-invalid");
        if (group) group.classList.remove("fr-upload-group--error");
      }
      return;
    }
    messageFor(input).textContent =
      "Ce fichier pèse " + megabytes(file.size) + "\u00a0: la taille maximale est de " +
      input.dataset.maxSizeText + ". Choisissez un fichier plus léger\u202f; il n’a pas été envoyé.";
    input.value = "";
    input.setAttribute("aria-invalid", "true");
    if (group) group.classList.add("fr-upload-group--error");
    describedBy(input, id, true);
  }

  function setUp(root) {
    root.querySelectorAll('input[type="file"][data-max-size]').forEach(function (input) {
      if (input.dataset.sizeChecked) return;
      input.dataset.sizeChecked = "yes";
      input.addEventListener("change", function () { check(input); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
})();
