// "Select all" for a list of checkboxes (the hours approval queue): a GOV.UK Frontend component.
// Progressive enhancement only: without JavaScript the page offers "Approve all shown" instead.
//
// Markup: a root with data-module="vh-select-all", checkboxes marked data-vh-select-all-item,
// and an empty element marked data-vh-select-all-slot where the "Select all" box is put.
import { Component } from "../dist/govuk-frontend.min.js";

export class SelectAll extends Component {
  static moduleName = "vh-select-all";

  constructor($root) {
    super($root);
    this.$items = Array.from($root.querySelectorAll("input[type=checkbox][data-vh-select-all-item]"));
    const $slot = $root.querySelector("[data-vh-select-all-slot]");
    if (!this.$items.length || !$slot) {
      return;
    }
    const id = `${$root.id || "vh-select-all"}-all`;
    const $group = document.createElement("div");
    $group.className = "govuk-checkboxes govuk-checkboxes--small";
    const $item = document.createElement("div");
    $item.className = "govuk-checkboxes__item";
    this.$all = document.createElement("input");
    this.$all.className = "govuk-checkboxes__input";
    this.$all.type = "checkbox";
    this.$all.id = id;
    const $label = document.createElement("label");
    $label.className = "govuk-label govuk-checkboxes__label";
    $label.htmlFor = id;
    $label.textContent = $slot.dataset.label || "Select all";
    $item.append(this.$all, $label);
    $group.append($item);
    $slot.replaceChildren($group);
    $slot.hidden = false;

    this.$all.addEventListener("change", () => {
      for (const $box of this.$items) {
        $box.checked = this.$all.checked;
      }
      this.update();
    });
    for (const $box of this.$items) {
      $box.addEventListener("change", () => this.update());
    }
    this.update();
  }

  update() {
    const chosen = this.$items.filter(($box) => $box.checked).length;
    this.$all.checked = chosen === this.$items.length;
    this.$all.indeterminate = chosen > 0 && chosen < this.$items.length;
  }
}
