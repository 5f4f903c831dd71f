/* Offline intake: a form that opts in keeps working with no network.
 *
 * <form data-offline-sync="/branch/register/sync/"      where a queued entry is sent
 *       data-offline-rules="/branch/offline/rules.json" the rules, as data (offline-rules.js)
 *       data-offline-session="/branch/offline/session.json"  who is signed in + CSRF token
 *       data-offline-worker="/branch/sw.js"             the service worker to register
 *       data-offline-places="/branch/offline/places.json"    gazetteer (optional)
 *       data-offline-picker="d-village"                 the village picker's field (optional)
 *       data-offline-queue="counter"                    the queue's name
 *       data-offline-user="42"                          the signed-in staff member
 *       data-offline-label="d-name_km reference"        fields that name an entry in the queue
 *       data-offline-logout="/accounts/logout/">        sign-out clears this device
 * and a <section data-offline-panel> the queue is shown in.
 *
 * Online, the form posts as usual. Offline, a submission is checked with the server's
 * rules, kept in IndexedDB with a fresh Idempotency-Key and sent when the network
 * returns; the server registers it once whatever happens to the answer.
 */
(function () {
  "use strict";

  const DB_NAME = "onboarding-offline";
  const RETRY_MS = 30000;
  let dbPromise = null;

  function db() {
    if (!dbPromise) {
      dbPromise = idb.openDB(DB_NAME, 1, {
        upgrade(database) {
          const queue = database.createObjectStore("queue", { keyPath: "id" });
          queue.createIndex("by_queue", "queue");
          database.createObjectStore("meta", { keyPath: "name" });
        },
      });
    }
    return dbPromise;
  }

  function newKey() {
    if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, (_, name) => String(values[name]));
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    }
    children.forEach((child) => child && node.append(child));
    return node;
  }

  class OfflineForm {
    constructor(form) {
      this.form = form;
      this.cfg = form.dataset;
      this.queue = this.cfg.offlineQueue;
      this.user = Number(this.cfg.offlineUser);
      this.panel = document.querySelector("[data-offline-panel]");
      this.rules = null;
      this.skew = 0;
      this.places = null;
      this.fixing = null;
      this.syncing = false;
    }

    async start() {
      if ("serviceWorker" in navigator && this.cfg.offlineWorker) {
        navigator.serviceWorker.register(this.cfg.offlineWorker).catch(() => {});
      }
      this.form.addEventListener("submit", (event) => this.onSubmit(event));
      this.watchLogout();
      window.addEventListener("online", () => { this.render(); this.sync(); });
      window.addEventListener("offline", () => this.render());
      setInterval(() => this.sync(), RETRY_MS);
      await Promise.all([this.loadRules(), this.loadPlaces()]);
      this.enhancePicker();
      await this.render();
      this.sync();
    }

    async meta(name, value) {
      const database = await db();
      if (value === undefined) return ((await database.get("meta", name)) || {}).value;
      return database.put("meta", { name, value });
    }

    async loadRules() {
      const key = `rules:${this.queue}`;
      try {
        const sentAt = Date.now();
        const response = await fetch(this.cfg.offlineRules, { credentials: "same-origin" });
        if (response.ok) {
          this.rules = await response.json();
          // A copy served by the worker while offline carries an old server time: only a
          // fresh answer says how far this device's clock is from the server's.
          if (navigator.onLine && response.headers.get("X-Offline-Cached") === null) {
            const serverMs = Date.parse(this.rules.server_time);
            this.skew = serverMs - Math.round((sentAt + Date.now()) / 2);
            await this.meta(`skew:${this.queue}`, this.skew);
          }
          await this.meta(key, this.rules);
        }
      } catch (error) { /* offline: the stored copy below */ }
      if (!this.rules) this.rules = await this.meta(key);
      if (this.skew === 0) this.skew = (await this.meta(`skew:${this.queue}`)) || 0;
    }

    async loadPlaces() {
      if (!this.cfg.offlinePlaces) return;
      let data = null;
      try {
        const response = await fetch(this.cfg.offlinePlaces, { credentials: "same-origin" });
        if (response.ok) data = await response.json();
      } catch (error) { /* offline and not cached */ }
      if (!data) return;
      const index = (rows) => {
        const byParent = new Map();
        const byId = new Map();
        for (const [id, parent, code, km, en] of rows) {
          const row = { id, parent, code, km, en };
          byId.set(id, row);
          if (!byParent.has(parent)) byParent.set(parent, []);
          byParent.get(parent).push(row);
        }
        return { byParent, byId };
      };
      this.places = {
        provinces: new Set(data.province_ids),
        district: index(data.districts),
        commune: index(data.communes),
        village: index(data.villages),
      };
    }

    /* ---- the village picker, from the stored gazetteer ---- */

    pickerSelect(level) {
      const name = this.cfg.offlinePicker;
      const id = level === "village" ? `id_${name}` : `id_${name}_${level}`;
      return document.getElementById(id);
    }

    placeName(row) {
      return document.documentElement.lang === "en" ? row.en || row.km : row.km || row.en;
    }

    fillLevel(level, parentId) {
      const select = this.pickerSelect(level);
      if (!select) return;
      const rows = (this.places[level].byParent.get(parentId) || []);
      select.replaceChildren(el("option", { value: "", text: "—" }));
      for (const row of rows) {
        const label = level === "village" ? `${this.placeName(row)} (${row.code})` : this.placeName(row);
        select.append(el("option", { value: String(row.id), text: label }));
      }
      select.disabled = rows.length === 0;
    }

    chooseLevel(level, value) {
      const order = ["province", "district", "commune", "village"];
      const below = order.slice(order.indexOf(level) + 1);
      const id = Number(value) || null;
      if (level === "province" && id && !this.places.provinces.has(id)) return false;
      below.forEach((lower, i) => {
        if (i === 0 && id) this.fillLevel(lower, id);
        else this.fillLevel(lower, -1);
      });
      return true;
    }

    setPicker(villageId) {
      if (!this.places) return false;
      const village = this.places.village.byId.get(Number(villageId));
      if (!village) return false;
      const commune = this.places.commune.byId.get(village.parent);
      const district = this.places.district.byId.get(commune.parent);
      this.pickerSelect("province").value = String(district.parent);
      this.chooseLevel("province", district.parent);
      this.pickerSelect("district").value = String(district.id);
      this.chooseLevel("district", district.id);
      this.pickerSelect("commune").value = String(commune.id);
      this.chooseLevel("commune", commune.id);
      this.pickerSelect("village").value = String(village.id);
      return true;
    }

    enhancePicker() {
      const name = this.cfg.offlinePicker;
      if (!name) return;
      document.body.addEventListener("htmx:beforeRequest", (event) => {
        const picker = document.getElementById(`picker-${name}`);
        const source = event.detail.elt;
        if (!picker || !picker.contains(source)) return;
        const level = source.tagName === "SELECT"
          ? (source.id === `id_${name}` ? "village" : source.id.replace(`id_${name}_`, ""))
          : null;
        // Levels below a province that is not stored are the server's to list.
        const province = Number(this.pickerSelect("province").value);
        if (level && this.places && this.places.provinces.has(province)) {
          event.preventDefault();
          if (level !== "village") this.chooseLevel(level, source.value);
          this.clearError(name);
        } else if (!navigator.onLine) {
          event.preventDefault();
          if (level === "province") this.showError(name, this.rules.text.place_missing);
          else if (!level) this.searchLocally(source);
        }
      });
    }

    searchLocally(input) {
      const name = this.cfg.offlinePicker;
      const results = document.getElementById(`picker-${name}-results`);
      if (!results || !this.places) return;
      const words = OfflineRules.cleanText(input.value).toLowerCase().split(" ").filter(Boolean);
      const list = el("ul", { class: "picker-result-list" });
      if (words.join("").length >= 2) {
        for (const row of this.places.village.byId.values()) {
          const text = `${row.code} ${row.km} ${row.en}`.toLowerCase();
          if (!words.every((w) => text.includes(w))) continue;
          const button = el("button", { type: "button", text: `${this.placeName(row)} · ${row.code}` });
          button.addEventListener("click", () => { this.setPicker(row.id); results.replaceChildren(); });
          list.append(el("li", {}, button));
          if (list.children.length >= 20) break;
        }
      }
      results.replaceChildren(list);
    }

    /* ---- submitting, checking, queueing ---- */

    values() {
      const values = {};
      const entries = [];
      for (const [name, value] of new FormData(this.form).entries()) {
        if (name === "csrfmiddlewaretoken") continue; // a fresh token is sent with the queue
        if (value instanceof File && !value.name) continue;
        (values[name] = values[name] || []).push(value);
        entries.push([name, value]);
      }
      return { values, entries };
    }

    async onSubmit(event) {
      if (navigator.onLine && !this.fixing) return; // online: the page posts as usual
      event.preventDefault();
      if (!this.rules) return;
      const { values, entries } = this.values();
      const errors = OfflineRules.check(this.rules, values, OfflineRules.today(this.rules, this.skew));
      this.clearErrors();
      if (Object.keys(errors).length) {
        this.showErrors(errors);
        return;
      }
      const database = await db();
      if (this.fixing) await database.delete("queue", this.fixing);
      this.fixing = null;
      await database.put("queue", {
        id: newKey(),
        queue: this.queue,
        user: this.user,
        created: Date.now(),
        entries,
        label: (this.cfg.offlineLabel || "").split(" ").map((name) => values[name] || [])
          .flat().filter((v) => typeof v === "string" && v.trim()).join(" · "),
        status: "waiting",
      });
      this.form.reset();
      this.resetPicker();
      this.note(this.rules.text.queued);
      await this.render();
      this.sync();
      this.panel && this.panel.focus();
    }

    resetPicker() {
      if (!this.cfg.offlinePicker || !this.places) return;
      this.chooseLevel("province", "");
    }

    fieldBox(name) {
      const input = this.form.querySelector(`[name="${CSS.escape(name)}"]`);
      if (!input) return null;
      return input.closest(".field") || input.closest("fieldset") || input.parentElement;
    }

    showError(name, message) {
      const box = this.fieldBox(name);
      const text = el("p", { class: "error offline-error", text: message });
      if (box) {
        box.classList.add("has-error");
        box.prepend(text);
      } else {
        this.form.prepend(text);
      }
      return text;
    }

    clearError(name) {
      const box = this.fieldBox(name);
      if (!box) return;
      box.classList.remove("has-error");
      box.querySelectorAll(".offline-error").forEach((node) => node.remove());
    }

    clearErrors() {
      this.form.querySelectorAll(".offline-error, .offline-summary").forEach((node) => node.remove());
      this.form.querySelectorAll(".has-error").forEach((node) => node.classList.remove("has-error"));
    }

    showErrors(errors) {
      const summary = el("div", { class: "error-summary offline-summary", role: "alert", tabindex: "-1" },
        el("p", { text: this.rules.text.check_form }));
      for (const [name, message] of Object.entries(errors)) {
        if (name === "__all__") summary.append(el("p", { text: [].concat(message).join(" ") }));
        else this.showError(name, [].concat(message).join(" "));
      }
      this.form.prepend(summary);
      summary.focus();
    }

    note(message) {
      const status = this.panel && this.panel.querySelector("[data-offline-note]");
      if (status) status.textContent = message;
    }

    /* ---- the queue panel ---- */

    async items() {
      const database = await db();
      const all = await database.getAllFromIndex("queue", "by_queue", this.queue);
      return all.sort((a, b) => a.created - b.created);
    }

    async render() {
      if (!this.panel || !this.rules) return;
      const t = this.rules.text;
      const items = await this.items();
      const waiting = items.filter((i) => i.status === "waiting").length;
      this.panel.hidden = items.length === 0 && navigator.onLine;
      this.panel.querySelector("[data-offline-state]").textContent = navigator.onLine ? "" : t.offline;
      this.panel.querySelector("[data-offline-count]").textContent = format(t.waiting, { n: waiting });
      const list = this.panel.querySelector("[data-offline-list]");
      list.replaceChildren();
      for (const item of items) list.append(this.renderItem(item));
      const send = this.panel.querySelector("[data-offline-send]");
      if (send) send.hidden = !(waiting && navigator.onLine);
    }

    renderItem(item) {
      const t = this.rules.text;
      const li = el("li", { class: `offline-item offline-${item.status}`, "data-status": item.status },
        el("strong", { text: item.label || "—" }), " ");
      let said = t.queued;
      if (item.user !== this.user) said = t.other_user;
      else if (item.status === "registered") said = format(t.registered, { n: item.number });
      else if (item.status === "already_registered") said = format(t.already, { n: item.number });
      else if (item.status === "refused") said = t.refused;
      else if (item.status === "error") said = item.message;
      else if (item.tried) said = t.retry;
      li.append(el("span", { class: "offline-outcome", text: said }));
      if (item.url && item.status !== "refused") {
        li.append(" ", el("a", { href: item.url, text: item.number }));
      }
      if (item.status === "refused") {
        const reasons = el("ul", { class: "offline-reasons" });
        for (const [name, messages] of Object.entries(item.errors || {})) {
          const label = ((this.rules.fields[name] || {}).label) || "";
          reasons.append(el("li", { text: `${label ? label + ": " : ""}${[].concat(messages).join(" ")}` }));
        }
        li.append(reasons);
        const fix = el("button", { type: "button", class: "button", text: t.fix });
        fix.addEventListener("click", () => this.fix(item));
        li.append(fix);
      }
      if (item.status !== "waiting" || item.user !== this.user) {
        const remove = el("button", { type: "button", class: "link", text: t.remove });
        remove.addEventListener("click", async () => {
          await (await db()).delete("queue", item.id);
          this.render();
        });
        li.append(" ", remove);
      }
      return li;
    }

    fix(item) {
      this.form.reset();
      this.clearErrors();
      const byName = {};
      for (const [name, value] of item.entries) (byName[name] = byName[name] || []).push(value);
      for (const [name, values] of Object.entries(byName)) {
        if (name === this.cfg.offlinePicker && this.setPicker(values[0])) continue;
        this.form.querySelectorAll(`[name="${CSS.escape(name)}"]`).forEach((input) => {
          if (input.type === "file") return;
          if (input.type === "checkbox" || input.type === "radio") input.checked = values.includes(input.value);
          else if (typeof values[0] === "string") input.value = values[0];
        });
      }
      this.fixing = item.id;
      this.showErrors(item.errors || {});
      this.note(this.rules.text.fixing);
    }

    /* ---- sending ---- */

    async sync() {
      if (!navigator.onLine || this.syncing || !this.rules) return;
      this.syncing = true;
      try {
        // One tab sends at a time; the server's idempotency holds even if two did.
        const run = () => this.sendAll();
        if (navigator.locks) await navigator.locks.request(`offline-sync-${this.queue}`, { ifAvailable: true },
          (lock) => (lock ? run() : null));
        else await run();
      } finally {
        this.syncing = false;
        await this.render();
      }
    }

    /* After a failed attempt, try again in 2, 4, 8… seconds (then every RETRY_MS). */
    retrySoon() {
      this.retries = (this.retries || 0) + 1;
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.sync(), Math.min(1000 * 2 ** this.retries, RETRY_MS));
    }

    async session() {
      const response = await fetch(this.cfg.offlineSession, { credentials: "same-origin", cache: "no-store" });
      return response.json();
    }

    signedOut(session) {
      const box = this.panel && this.panel.querySelector("[data-offline-signin]");
      if (!box) return;
      box.replaceChildren();
      if (!session) return;
      box.append(el("p", { class: "message warning", role: "alert", text: this.rules.text.signed_out }),
        el("a", { class: "button", href: session.login_url, text: this.rules.text.sign_in }));
    }

    async sendAll() {
      const waiting = (await this.items()).filter((i) => i.status === "waiting" && i.user === this.user);
      if (!waiting.length) return;
      let session;
      try {
        session = await this.session();
      } catch (error) {
        this.retrySoon(); // the network is not really back yet
        return;
      }
      this.retries = 0;
      if (!session.signed_in || session.user !== this.user) {
        this.signedOut(session);
        return;
      }
      this.signedOut(null);
      for (const item of waiting) {
        const done = await this.send(item, session);
        if (done === "stop") break;
        await this.render();
      }
    }

    async send(item, session) {
      const body = new FormData();
      for (const [name, value] of item.entries) body.append(name, value);
      let response;
      try {
        response = await fetch(this.cfg.offlineSync, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { "Idempotency-Key": item.id, "X-CSRFToken": session.csrf, Accept: "application/json" },
        });
      } catch (error) {
        this.retrySoon();
        return "stop";
      }
      let answer = {};
      try {
        answer = await response.json();
      } catch (error) { /* an HTML error page: a proxy, or CSRF */ }
      const database = await db();
      const current = await database.get("queue", item.id);
      if (!current) return "next";
      if (response.status === 401) {
        this.signedOut(session);
        return "stop";
      }
      if (["registered", "already_registered"].includes(answer.outcome)) {
        Object.assign(current, { status: answer.outcome, number: answer.number, url: answer.url });
        current.entries = []; // nothing personal kept once the server has it
      } else if (answer.outcome === "refused") {
        Object.assign(current, { status: "refused", errors: answer.errors });
      } else if (answer.outcome === "error" && response.status !== 409) {
        Object.assign(current, { status: "error", message: answer.message });
      } else {
        current.tried = true; // 409 (still running), 5xx, CSRF: try again later
        await database.put("queue", current);
        this.retrySoon();
        return "stop";
      }
      await database.put("queue", current);
      return "next";
    }

    /* ---- signing out clears this device ---- */

    watchLogout() {
      const path = this.cfg.offlineLogout;
      if (!path) return;
      document.querySelectorAll("form").forEach((form) => {
        if (new URL(form.action, location.href).pathname !== path) return;
        form.addEventListener("submit", async (event) => {
          if (form.dataset.offlineCleared) return;
          event.preventDefault();
          const waiting = (await this.items()).filter((i) => i.status === "waiting").length;
          if (waiting && !window.confirm(format(this.rules.text.sign_out_confirm, { n: waiting }))) return;
          await OfflineForm.clearDevice();
          form.dataset.offlineCleared = "1";
          form.submit();
        });
      });
    }

    static async clearDevice() {
      // The worker first, so that it stores nothing more; then its caches and the queue.
      if (navigator.serviceWorker) {
        for (const registration of await navigator.serviceWorker.getRegistrations()) {
          await registration.unregister();
        }
      }
      if (self.caches) {
        for (const name of await caches.keys()) {
          if (name.startsWith("onboarding-offline")) await caches.delete(name);
        }
      }
      if (dbPromise) (await dbPromise).close();
      dbPromise = null;
      await idb.deleteDB(DB_NAME);
    }
  }

  function startAll() {
    document.querySelectorAll("form[data-offline-sync]").forEach((form) => {
      const offline = new OfflineForm(form);
      form.offlineForm = offline;
      offline.start();
    });
    const send = document.querySelector("[data-offline-send]");
    if (send) {
      send.addEventListener("click", () => {
        document.querySelectorAll("form[data-offline-sync]").forEach((form) => form.offlineForm.sync());
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
  else startAll();
})();
