/* Parvis — the little behaviour the public pages need: the main menu (phone panel and
   disclosure sub-menus) and focus on a form's error summary. No dependency. */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  var nav = document.querySelector("[data-nav]");
  var navToggle = document.querySelector("[data-nav-toggle]");
  var submenuButtons = nav ? nav.querySelectorAll("[data-submenu-toggle]") : [];

  function submenuOf(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }

  function setSubmenu(button, open) {
    var submenu = submenuOf(button);
    if (!submenu) {
      return;
    }
    button.setAttribute("aria-expanded", open ? "true" : "false");
    submenu.hidden = !open;
  }

  function closeSubmenus(except) {
    Array.prototype.forEach.call(submenuButtons, function (button) {
      if (button !== except) {
        setSubmenu(button, false);
      }
    });
  }

  function openButton() {
    return nav && nav.querySelector("[data-submenu-toggle][aria-expanded='true']");
  }

  function setNav(open) {
    if (!navToggle || !nav) {
      return;
    }
    navToggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("is-open", open);
    if (!open) {
      closeSubmenus(null);
    }
  }

  // Sub-menus: disclosure buttons (Enter and Space come with <button>).
  Array.prototype.forEach.call(submenuButtons, function (button) {
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      closeSubmenus(button);
      setSubmenu(button, open);
    });
    // Leaving an item with Tab closes its sub-menu.
    button.parentNode.addEventListener("focusout", function (event) {
      var next = event.relatedTarget;
      if (next && !button.parentNode.contains(next)) {
        setSubmenu(button, false);
      }
    });
  });

  // Phone panel.
  if (navToggle && nav) {
    navToggle.addEventListener("click", function () {
      setNav(navToggle.getAttribute("aria-expanded") !== "true");
    });
  }

  // Escape closes the open sub-menu (focus back on its button), else the phone panel.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") {
      return;
    }
    var button = openButton();
    if (button) {
      setSubmenu(button, false);
      button.focus();
      event.preventDefault();
      return;
    }
    if (navToggle && navToggle.getAttribute("aria-expanded") === "true" && nav.contains(document.activeElement)) {
      setNav(false);
      navToggle.focus();
      event.preventDefault();
    }
  });

  // A click outside the menu closes any open sub-menu.
  document.addEventListener("click", function (event) {
    if (nav && !nav.contains(event.target)) {
      closeSubmenus(null);
    }
  });

  // Forms sent back with errors: move focus to the summary so it is read first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
})();
