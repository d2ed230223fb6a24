// The top bar's menus (More, Staff, the account menu) are <details>: they open and close
// by keyboard with no script. This adds what people expect of a menu: Escape closes it
// and puts the focus back on its button, and it closes once the focus or a click goes
// elsewhere, so an open menu never stays over the page.
"use strict";

(() => {
  const menus = [...document.querySelectorAll(".topnav details")];
  const close = (menu) => { menu.open = false; };

  for (const menu of menus) {
    menu.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || !menu.open) return;
      close(menu);
      menu.querySelector("summary").focus();
    });
    menu.addEventListener("focusout", (event) => {
      if (event.relatedTarget && !menu.contains(event.relatedTarget)) close(menu);
    });
    // One menu open at a time: opening one closes the others.
    menu.addEventListener("toggle", () => {
      if (menu.open) menus.filter((other) => other !== menu).forEach(close);
    });
  }
  document.addEventListener("click", (event) => {
    for (const menu of menus) if (menu.open && !menu.contains(event.target)) close(menu);
  });
})();
