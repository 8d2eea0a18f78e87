// The import progress page (/imports/<id>): with JavaScript, poll the upload's JSON status and
// update the counts in place, then load the result once the import has ended. Without
// JavaScript the page refreshes itself (a Refresh header), so this is an enhancement only.
//
// Markup: a root with data-module="vh-import-progress", data-status-url and data-finished, and
// elements marked data-vh-count="checked" / "imported".
import { Component } from "../dist/govuk-frontend.min.js";

const EVERY_MS = 1500;

export class ImportProgress extends Component {
  static moduleName = "vh-import-progress";

  constructor($root) {
    super($root);
    this.url = $root.dataset.statusUrl;
    if (!this.url || $root.dataset.finished === "true") {
      return;
    }
    // The Refresh header would reload the page as well: once the page has loaded, stop it
    // (window.stop cancels a pending refresh) and take over the updates.
    if (document.readyState === "complete") {
      window.stop();
    } else {
      window.addEventListener("load", () => window.stop(), { once: true });
    }
    this.timer = window.setTimeout(() => this.poll(), EVERY_MS);
  }

  async poll() {
    let status;
    try {
      const response = await fetch(this.url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      status = await response.json();
    } catch {
      window.location.reload();
      return;
    }
    for (const $count of this.$root.querySelectorAll("[data-vh-count]")) {
      const value = status[$count.dataset.vhCount];
      if (typeof value === "number") {
        $count.textContent = value.toLocaleString("en-GB");
      }
    }
    if (status.finished) {
      window.location.assign(status.result_url);
      return;
    }
    this.timer = window.setTimeout(() => this.poll(), EVERY_MS);
  }
}
