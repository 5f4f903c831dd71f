// The offline card checker (/verify/offline/): verifies the Ed25519 signature of a
// card's code (a compact JWS) with the registry's published keys, in the browser.
// The service worker (/verify/sw.js) keeps this page and the keys for use offline and
// answers any /verify/<number>/<code>/ address with this page when there is no network.
(function () {
  "use strict";
  const root = document.getElementById("verifier");
  if (!root) return;
  const resultBox = document.getElementById("offline-result");
  const keysState = document.getElementById("keys-state");
  const KEYS_STORE = "verify-keys";
  const CODE = /([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/;
  const CARD_PATH = /^\/verify\/(\d{10})\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\/?$/;

  function text(name, values) {
    const node = document.querySelector('#verify-texts [data-text="' + name + '"]');
    let message = node ? node.textContent : name;
    Object.entries(values || {}).forEach(([key, value]) => {
      message = message.replace("{" + key + "}", value);
    });
    return message;
  }

  function nameOf(listId, code) {
    const item = document.querySelector("#" + listId + ' [data-code="' + CSS.escape(code) + '"]');
    return item ? item.textContent : code;
  }

  function b64urlBytes(value) {
    const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "===".slice((base64.length + 3) % 4);
    const binary = atob(padded);
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  }

  function b64urlJson(value) {
    return JSON.parse(new TextDecoder().decode(b64urlBytes(value)));
  }

  function formatDate(iso) {
    const [year, month, day] = iso.split("-");
    return day + "/" + month + "/" + year;
  }

  function localTime(date) {
    const two = (value) => String(value).padStart(2, "0");
    return (
      two(date.getDate()) + "/" + two(date.getMonth() + 1) + "/" + date.getFullYear() +
      " " + two(date.getHours()) + ":" + two(date.getMinutes())
    );
  }

  function formatNumber(number) {
    return number.slice(0, 3) + " " + number.slice(3, 6) + " " + number.slice(6);
  }

  async function loadKeys() {
    try {
      const response = await fetch(root.dataset.keysUrl, { cache: "no-cache" });
      if (!response.ok) throw new Error(String(response.status));
      const jwks = await response.json();
      const stored = { jwks: jwks, fetched: new Date().toISOString() };
      localStorage.setItem(KEYS_STORE, JSON.stringify(stored));
      return stored;
    } catch (error) {
      const kept = localStorage.getItem(KEYS_STORE);
      return kept ? JSON.parse(kept) : null;
    }
  }

  function showKeys(stored) {
    if (!stored) {
      keysState.textContent = text("no_keys");
      return;
    }
    keysState.textContent = text("keys", {
      count: String(stored.jwks.keys.length),
      when: localTime(new Date(stored.fetched)),
    });
  }

  // The outcome: "valid", or why not (a CardTokenProblem's name, as on the server).
  // In the server's order (registry.card_signing): the header, the key, the signature,
  // and only then what the signed payload says.
  async function check(token, expectedNumber, stored) {
    const parts = token.split(".");
    let header;
    try {
      header = b64urlJson(parts[0]);
    } catch (error) {
      return { outcome: "malformed" };
    }
    if (parts.length !== 3 || !header || header.alg !== "EdDSA") return { outcome: "malformed" };
    if (!stored) return { outcome: "no_keys" };
    const jwk = stored.jwks.keys.find((key) => key.kid === header.kid);
    if (!jwk) return { outcome: "unknown_key" };
    let valid;
    try {
      const key = await crypto.subtle.importKey(
        "jwk",
        { kty: "OKP", crv: "Ed25519", x: jwk.x },
        { name: "Ed25519" },
        false,
        ["verify"],
      );
      valid = await crypto.subtle.verify(
        { name: "Ed25519" },
        key,
        b64urlBytes(parts[2]),
        new TextEncoder().encode(parts[0] + "." + parts[1]),
      );
    } catch (error) {
      // atob refuses a garbled signature; a browser without Ed25519 refuses the key.
      return { outcome: error instanceof DOMException && error.name === "NotSupportedError" ? "unsupported" : "malformed" };
    }
    if (!valid) return { outcome: "signature" };
    let claims;
    try {
      claims = b64urlJson(parts[1]);
    } catch (error) {
      return { outcome: "malformed" };
    }
    if (!claims || typeof claims.n !== "string" || typeof claims.d !== "string") {
      return { outcome: "malformed" };
    }
    if (expectedNumber && claims.n !== expectedNumber) return { outcome: "other_number" };
    return { outcome: "valid", claims: claims };
  }

  function paragraph(className, content) {
    const node = document.createElement("p");
    if (className) node.className = className;
    node.textContent = content;
    return node;
  }

  function show(result) {
    resultBox.replaceChildren();
    resultBox.hidden = false;
    resultBox.dataset.outcome = result.outcome;
    if (result.outcome !== "valid") {
      const kind = result.outcome === "no_keys" || result.outcome === "unsupported" ? "warning" : "error";
      resultBox.append(paragraph("message " + kind, text(result.outcome)));
      return;
    }
    const claims = result.claims;
    resultBox.append(paragraph("message success", text("valid")));
    resultBox.append(
      paragraph(
        "",
        text("at_issue", {
          date: formatDate(claims.d),
          number: formatNumber(claims.n),
          status: nameOf("verify-statuses", claims.s),
          province: nameOf("verify-provinces", claims.p),
        }),
      ),
    );
    const today = new Date().toISOString().slice(0, 10);
    if (today < claims.d) resultBox.append(paragraph("message warning", text("clock")));
    if (navigator.onLine) {
      const link = document.createElement("a");
      link.href = root.dataset.onlineUrl + claims.n + "/";
      link.textContent = text("online");
      const line = document.createElement("p");
      line.append(link);
      resultBox.append(line);
    } else {
      resultBox.append(paragraph("message warning", text("offline")));
    }
  }

  async function run(token, expectedNumber, storedPromise) {
    show(await check(token, expectedNumber, await storedPromise));
  }

  const stored = loadKeys();
  stored.then(showKeys);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.dataset.swUrl, { scope: "/verify/" }).catch(() => {});
  }

  const fromPath = CARD_PATH.exec(window.location.pathname);
  if (fromPath) run(fromPath[2], fromPath[1], stored);

  document.getElementById("offline-check").addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = document.getElementById("id_code").value.trim();
    let number = null;
    try {
      const match = CARD_PATH.exec(new URL(typed).pathname);
      if (match) number = match[1];
    } catch (error) {
      // Not a link: the code alone.
    }
    const code = CODE.exec(typed);
    if (!code) {
      show({ outcome: "malformed" });
      return;
    }
    run(code[1], number, stored);
  });
})();
