/* Checks a form's values with the rules the server publishes (registry/forms/rules.py).
 *
 * Nothing here knows a field, a pattern or a message: all of them arrive as data. The
 * browser refuses only what the server is sure to refuse; whatever needs the server
 * (an unusual phone shape, a village that may have gone) is let through and the
 * server's answer, when the queue is sent, says what to fix.
 *
 * OfflineRules.check(rules, values, today) -> {fieldName: message}
 *   values: {fieldName: [string, ...]} as the form would post them
 *   today:  "YYYY-MM-DD", the server's date (see OfflineRules.today)
 */
(function (global) {
  "use strict";

  const ZERO_WIDTH = /[\u200b\u200c\u200d\u2060\ufeff]/g;
  const CONTROL = /[\u0000-\u0008\u000e-\u001b\u007f-\u0084\u0086-\u009f]/g;

  function cleanText(value) {
    return String(value || "").normalize("NFC").replace(ZERO_WIDTH, "").replace(CONTROL, "")
      .replace(/\s+/gu, " ").trim();
  }

  function asciiDigits(value, khmer) {
    return value.replace(/[\u17e0-\u17e9]/g, (d) => String(khmer.indexOf(d)));
  }

  function translate(value, from, to) {
    return Array.from(value, (c) => (from.includes(c) ? to : c)).join("");
  }

  function matches(national, matcher) {
    if (!matcher) return false;
    const lengthOk = !matcher.lengths.length || matcher.lengths.includes(national.length);
    return lengthOk && new RegExp(matcher.pattern).test(national);
  }

  const checks = {
    name_km(value, r) {
      const v = cleanText(value);
      if (!v) return null;
      if (new RegExp(r.digit, "u").test(v)) return r.messages.digits;
      const ok = new RegExp(r.allowed, "u").test(v) && new RegExp(r.letter, "u").test(v);
      return ok ? null : r.messages.script;
    },
    name_latin(value, r) {
      let v = translate(translate(cleanText(value), r.apostrophes, "'"), r.hyphens, "-");
      v = v.replace(/ ?- ?/g, "-");
      if (!v) return null;
      if (new RegExp(r.digit, "u").test(v)) return r.messages.digits;
      const latin = /^(?=\p{L})\p{Script=Latin}$/u;
      if (!Array.from(v).every((c) => latin.test(c) || r.separators.includes(c))) {
        return r.messages.script;
      }
      const parts = v.split(/([ '\-])/);
      return parts.filter((_, i) => i % 2 === 0).some((p) => !p) ? r.messages.format : null;
    },
    date(value, r, all, today) {
      const v = asciiDigits(cleanText(value), all.khmer_digits);
      if (!v) return null;
      let parts = null;
      for (const format of r.formats) {
        const found = new RegExp(format.pattern).exec(v);
        if (found) {
          parts = {};
          format.order.forEach((name, i) => { parts[name] = Number(found[i + 1]); });
          break;
        }
      }
      if (!parts) return r.messages.format;
      const born = new Date(Date.UTC(parts.y, parts.m - 1, parts.d));
      if (parts.y < 1 || born.getUTCFullYear() !== parts.y || born.getUTCMonth() !== parts.m - 1 ||
          born.getUTCDate() !== parts.d) {
        return r.messages.invalid;
      }
      const [ty, tm, td] = today.split("-").map(Number);
      const bornKey = parts.y * 10000 + parts.m * 100 + parts.d;
      if (bornKey > ty * 10000 + tm * 100 + td) return r.messages.future;
      const hadBirthday = tm * 100 + td >= parts.m * 100 + parts.d;
      const age = ty - parts.y - (hadBirthday ? 0 : 1);
      if (age < r.min_age) return r.messages.too_young;
      if (age > r.max_age) return r.messages.too_old;
      return null;
    },
    national_id(value, r, all) {
      const v = asciiDigits(cleanText(value), all.khmer_digits).replace(new RegExp(r.separators, "g"), "");
      if (!v) return null;
      if (!new RegExp(r.pattern).test(v)) return r.messages.format;
      return new Set(v).size === 1 ? r.messages.placeholder : null;
    },
    phone(value, r, all) {
      const v = asciiDigits(cleanText(value), all.khmer_digits);
      if (!v) return null;
      if (!new RegExp(r.characters).test(v)) return r.messages.invalid;
      const digits = v.replace(new RegExp(r.separators, "g"), "");
      const cc = r.country_code;
      let national = null;
      if (digits.startsWith("+" + cc)) national = digits.slice(cc.length + 1);
      else if (digits.startsWith(cc) && digits.length > r.longest) national = digits.slice(cc.length);
      else if (digits.startsWith("0") && !digits.startsWith("00")) national = digits.slice(1);
      else if (/^\+[1-9]/.test(digits)) return r.messages.foreign;
      else if (/^[1-9]/.test(digits) && !digits.startsWith(cc)) national = digits; // no prefix
      if (national === null || !/^[1-9][0-9]*$/.test(national)) return null; // the server decides
      const accepted = matches(national, r.general) &&
        !r.refused.some((m) => matches(national, m)) && r.accepted.some((m) => matches(national, m));
      return accepted ? null : r.messages.invalid;
    },
    count(value, r, all) {
      const v = asciiDigits(cleanText(value || "0"), all.khmer_digits) || "0";
      return /^[0-9]+$/.test(v) && Number(v) <= r.max ? null : r.message;
    },
  };

  function filled(list) {
    return (list || []).some((v) => typeof v !== "string" || cleanText(v) !== "");
  }

  function check(rules, values, today) {
    const errors = {};
    const put = (name, message) => { if (message && !errors[name]) errors[name] = message; };
    const required = Object.assign({}, rules.required);
    for (const [switchName, byValue] of Object.entries(rules.required_when || {})) {
      const chosen = (values[switchName] || [])[0];
      if (chosen && byValue[chosen]) Object.assign(required, byValue[chosen]);
    }
    for (const [name, message] of Object.entries(required)) {
      const alternatives = (rules.alternatives || {})[name] || [];
      if (!filled(values[name]) && !alternatives.some((a) => filled(values[a]))) put(name, message);
    }
    for (const [name, field] of Object.entries(rules.fields)) {
      const list = (values[name] || []).filter((v) => typeof v === "string");
      for (const value of list) {
        if (field.max_length && Array.from(value.trim()).length > field.max_length) {
          put(name, field.max_length_message.replace(String(rules.length_mark),
            String(Array.from(value.trim()).length)));
        }
        if (field.choices && value !== "" && !field.choices.includes(value)) {
          put(name, rules.required[name] || field.label);
        }
        if (field.check && checks[field.check]) {
          put(name, checks[field.check](value, rules.values[field.check], rules.values, today));
        }
      }
    }
    for (const rule of rules.confirmations || []) {
      if (filled(values[rule.if_any]) && !filled(values[rule.field])) put(rule.field, rule.message);
    }
    return errors;
  }

  /* The server's date now, from its clock at the last online visit: a device whose clock
   * is wrong still checks ages as the server will. */
  function today(rules, skewMs) {
    const now = new Date(Date.now() + (skewMs || 0));
    const parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: rules.time_zone, year: "numeric", month: "2-digit", day: "2-digit",
    }).formatToParts(now);
    const get = (type) => parts.find((p) => p.type === type).value;
    return `${get("year")}-${get("month")}-${get("day")}`;
  }

  global.OfflineRules = { check, today, cleanText };
})(typeof self !== "undefined" ? self : this);
