// The gate worker's logging page (templates/checkpoints/log.html), offline-first.
//
// Every check is made on the phone: it gets a client UUID and the phone's time (ISO with
// offset) and goes into a queue in localStorage, one queue per worker and checkpoint, before
// any upload is tried. The queue is sent in order, in batches of at most 500, whenever the
// phone is online (navigator.onLine, the "online" event, and a retry timer that backs off).
// A check leaves the queue only when the server answered "stored" or "known" for its UUID;
// a refused one is set aside with the server's messages for the worker to fix or discard.
// Re-sending is harmless: the server keeps one check per UUID.
//
// The queue holds only the checks this worker made here. A repeat visitor found online is
// held as the name and masked document number the server showed plus an opaque signed
// reference; a self-filled traveller as the short code: the server turns either back into
// the details when the check arrives (views/logging.py).
//
// The plate is parsed here only to flag a non-local vehicle as it is typed; the server
// decides for real (rules.parse_plate). No framework, no build step (CSP: script-src 'self').
(function () {
  "use strict";

  var configNode = document.getElementById("log-config");
  var form = document.getElementById("check-form");
  if (!configNode) {
    return;
  }
  var cfg = JSON.parse(configNode.textContent);
  var T = cfg.strings;
  var page = document.querySelector("[data-testid=log-page]");

  // ---- small helpers -------------------------------------------------------------------

  function $(selector, root) {
    return (root || document).querySelector(selector);
  }

  function $all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "className") {
        node.className = attrs[key];
      } else {
        node.setAttribute(key, attrs[key]);
      }
    });
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function show(node, visible) {
    if (node) {
      node.hidden = !visible;
    }
  }

  // A version 4 UUID. crypto.randomUUID exists only in secure contexts (https, localhost);
  // a LAN server on plain http gets the getRandomValues form, which is available everywhere.
  function uuid4() {
    var c = window.crypto || window.msCrypto;
    if (c && typeof c.randomUUID === "function") {
      try {
        return c.randomUUID();
      } catch (e) {
        // not a secure context after all: fall through
      }
    }
    var bytes = new Uint8Array(16);
    if (c && typeof c.getRandomValues === "function") {
      c.getRandomValues(bytes);
    } else {
      for (var i = 0; i < 16; i += 1) {
        bytes[i] = Math.floor(Math.random() * 256);
      }
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = [];
    for (var j = 0; j < 16; j += 1) {
      hex.push((bytes[j] + 0x100).toString(16).slice(1));
    }
    return (
      hex.slice(0, 4).join("") + "-" + hex.slice(4, 6).join("") + "-" +
      hex.slice(6, 8).join("") + "-" + hex.slice(8, 10).join("") + "-" +
      hex.slice(10, 16).join("")
    );
  }

  // The phone's time as ISO 8601 with its UTC offset, to the second: 2020-02-10T08:15:00+08:00.
  function isoLocal(d) {
    var offset = -d.getTimezoneOffset();
    var sign = offset >= 0 ? "+" : "-";
    offset = Math.abs(offset);
    return (
      d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) +
      "T" + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) +
      sign + pad(Math.floor(offset / 60)) + ":" + pad(offset % 60)
    );
  }

  function clock(d) {
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }

  function shortTime(iso) {
    // "2020-02-10T08:15:00+08:00" -> "02-10 08:15" (as the server wrote it, local time)
    var m = /^\d{4}-(\d\d-\d\d)T(\d\d:\d\d)/.exec(iso || "");
    return m ? m[1] + " " + m[2] : iso || "";
  }

  // ---- storage: one queue per worker and checkpoint --------------------------------------

  var KEY = cfg.queue_key;

  function load(name) {
    try {
      var raw = window.localStorage.getItem(KEY + name);
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return null;
    }
  }

  function store(name, value) {
    window.localStorage.setItem(KEY + name, JSON.stringify(value));
  }

  function queue() {
    return load(".queue") || [];
  }

  function refusedList() {
    return load(".refused") || [];
  }

  // ---- plates ----------------------------------------------------------------------------

  var PROVINCES = cfg.provinces; // [[char, name], ...] in the order of a plate keyboard
  var PROVINCE_NAMES = {};
  PROVINCES.forEach(function (p) {
    PROVINCE_NAMES[p[0]] = p[1];
  });
  var PLATE_REST = new RegExp(cfg.plate_rest_pattern);

  function halfWidth(text) {
    return text.replace(/[\uff01-\uff5e]/g, function (ch) {
      return String.fromCharCode(ch.charCodeAt(0) - 0xfee0);
    }).replace(/\u3000/g, " ");
  }

  function cleanPlateText(text) {
    return halfWidth(text || "").toUpperCase().replace(/[\s\-_·•.]/g, "");
  }

  function isLocal(prefix) {
    return cfg.local_plates.some(function (local) {
      return prefix.indexOf(local) === 0;
    });
  }

  // ---- temperatures ----------------------------------------------------------------------

  // "36.5", "36,5", "36。5" and, for cold hands, "365" all read 36.5; null when unreadable.
  function readTemperature(text) {
    var t = halfWidth(String(text || "")).replace(/[，,。]/g, ".").trim();
    if (!t) {
      return null;
    }
    if (/^\d{3}$/.test(t)) {
      t = t.slice(0, 2) + "." + t.slice(2);
    }
    if (!/^\d{1,2}(\.\d+)?$/.test(t)) {
      return NaN;
    }
    return Math.round(parseFloat(t) * 10) / 10;
  }

  function isFever(value) {
    if (value === null || isNaN(value)) {
      return false;
    }
    return cfg.fever.inclusive ? value >= cfg.fever.threshold : value > cfg.fever.threshold;
  }

  function inRange(value) {
    return value !== null && !isNaN(value) && value >= cfg.temp_min && value <= cfg.temp_max;
  }

  // ---- the form's state ------------------------------------------------------------------

  function blankPerson() {
    return { temp: "", name: "", docType: cfg.default_doc_type, doc: "", phone: "", ref: "", who: "", fromFill: false };
  }

  var state = {
    mode: load(".mode") === "vehicle" ? "vehicle" : "foot",
    province: cfg.default_province,
    people: [blankPerson()],
    fill: null, // {code, label} of a self-fill fetched by its code
    editing: null, // {uuid, checked_at} of a refused check being fixed
    repeat: null,
  };
  var recent = []; // this page's checks: {uuid, label, status}

  var plateInput = $("#plate");
  var provinceButton = $("[data-testid=province]");
  var provinceGrid = $("[data-testid=province-grid]");
  var plateFlag = $("[data-testid=plate-flag]");
  var repeatBox = $("[data-testid=repeat]");
  var peopleList = $("[data-testid=people]");
  var personTemplate = $("#person-template");
  var problem = $("[data-testid=form-problem]");
  var feverWarning = $("[data-testid=fever-warning]");
  var toast = $("[data-testid=toast]");

  // ---- status line and sync --------------------------------------------------------------

  var syncing = false;
  var retryDelay = 5000;
  var retryTimer = null;

  function renderStatus() {
    var waiting = queue().length;
    var waitingNode = $("[data-testid=waiting]");
    waitingNode.textContent = fmt(T.waiting, { n: waiting });
    waitingNode.classList.toggle("some", waiting > 0);
    var online = navigator.onLine !== false;
    var net = $("[data-testid=net]");
    net.textContent = online ? T.online : T.offline;
    net.classList.toggle("off", !online);
    var last = load(".last");
    $("[data-testid=last-sync]").textContent = last ? fmt(T.last_sync, { t: last }) : T.never_synced;
    show($("[data-testid=sync-now]"), waiting > 0 && online);
    renderRefused();
    renderRecent();
  }

  function setSyncProblem(text) {
    var node = $("[data-testid=sync-problem]");
    if (!node) {
      return;
    }
    node.textContent = text || "";
    show(node, !!text);
  }

  function scheduleRetry() {
    if (retryTimer) {
      clearTimeout(retryTimer);
    }
    retryTimer = setTimeout(function () {
      retryTimer = null;
      syncNow();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 5 * 60 * 1000);
  }

  function csrfToken() {
    var name = cfg.csrf_cookie + "=";
    var parts = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < parts.length; i += 1) {
      var part = parts[i].trim();
      if (part.indexOf(name) === 0) {
        return decodeURIComponent(part.slice(name.length));
      }
    }
    return cfg.csrf_token;
  }

  function applyResults(sent, answer) {
    var byUuid = {};
    (answer.results || []).forEach(function (r) {
      byUuid[r.uuid] = r;
    });
    var done = {};
    var refused = refusedList();
    sent.forEach(function (entry) {
      var r = byUuid[entry.item.uuid];
      if (!r) {
        return; // not answered: stays queued
      }
      if (r.status === "stored" || r.status === "known") {
        done[entry.item.uuid] = "stored";
      } else if (r.status === "refused") {
        done[entry.item.uuid] = "refused";
        entry.errors = r.errors || {};
        refused.push(entry);
      }
    });
    // Re-read the queue: checks logged while the request was out must not be lost.
    var left = queue().filter(function (entry) {
      return !done[entry.item.uuid];
    });
    store(".refused", refused);
    store(".queue", left);
    recent.forEach(function (r) {
      if (done[r.uuid]) {
        r.status = done[r.uuid];
      }
    });
  }

  function syncNow() {
    if (syncing) {
      return Promise.resolve();
    }
    if (navigator.onLine === false) {
      renderStatus();
      return Promise.resolve();
    }
    var pending = queue();
    if (!pending.length) {
      renderStatus();
      return Promise.resolve();
    }
    syncing = true;
    var batch = pending.slice(0, cfg.batch);
    return fetch(cfg.urls.sync, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken(),
        "X-Requested-With": "XMLHttpRequest",
      },
      body: JSON.stringify({ checks: batch.map(function (e) { return e.item; }) }),
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.redirected || (response.ok && type.indexOf("json") < 0)) {
          throw { problem: T.login_again };
        }
        if (response.status === 403) {
          throw { problem: T.login_again };
        }
        if (response.status === 404) {
          throw { problem: T.not_your_checkpoint };
        }
        if (response.status === 422) {
          // The batch itself was not understood: set it aside rather than retry forever.
          return response.json().then(function (body) {
            applyResults(batch, {
              results: batch.map(function (e) {
                return { uuid: e.item.uuid, status: "refused", errors: body.errors || { __all__: body.detail } };
              }),
            });
            return "again";
          });
        }
        if (!response.ok) {
          throw { problem: fmt(T.upload_failed, { status: response.status }) };
        }
        return response.json().then(function (answer) {
          applyResults(batch, answer);
          store(".last", clock(new Date()));
          return "again";
        });
      })
      .then(function () {
        syncing = false;
        retryDelay = 5000;
        setSyncProblem("");
        renderStatus();
        if (queue().length) {
          return syncNow();
        }
        return null;
      })
      .catch(function (error) {
        syncing = false;
        setSyncProblem(error && error.problem ? error.problem : "");
        renderStatus();
        scheduleRetry();
      });
  }

  // ---- province picker and plate ---------------------------------------------------------

  function buildProvinceGrid() {
    PROVINCES.forEach(function (p) {
      var b = el("button", { type: "button", "data-province": p[0], title: p[1] }, p[0]);
      if (isLocal(p[0]) || cfg.local_plates.some(function (l) { return l.charAt(0) === p[0]; })) {
        b.className = "local";
      }
      provinceGrid.appendChild(b);
    });
  }

  function setProvince(ch) {
    state.province = ch;
    provinceButton.textContent = ch;
    updatePlate();
  }

  function plateValue() {
    var rest = cleanPlateText(plateInput.value);
    return rest ? state.province + rest : "";
  }

  var lookupTimer = null;

  function updatePlate() {
    var rest = cleanPlateText(plateInput.value);
    plateFlag.className = "plate-flag";
    plateFlag.textContent = "";
    if (!rest) {
      show(repeatBox, false);
      return;
    }
    if (/^[A-Z]/.test(rest)) {
      var prefix = state.province + rest.charAt(0);
      if (isLocal(prefix)) {
        plateFlag.textContent = fmt(T.local_vehicle, { prefix: prefix });
        plateFlag.classList.add("local");
      } else {
        plateFlag.textContent = fmt(T.nonlocal_vehicle, {
          prefix: prefix,
          province: (PROVINCE_NAMES[state.province] || "") + (cfg.cities[prefix] || ""),
        });
        plateFlag.classList.add("nonlocal");
      }
    }
    var complete = PLATE_REST.test(rest);
    if (!complete && rest.length >= 6) {
      plateFlag.textContent += " · " + T.bad_plate;
      plateFlag.classList.add("bad");
    }
    if (lookupTimer) {
      clearTimeout(lookupTimer);
    }
    if (complete) {
      lookupTimer = setTimeout(function () {
        lookup({ plate: state.province + rest }, showRepeat);
      }, 300);
    } else {
      show(repeatBox, false);
    }
  }

  function onPlateInput() {
    var text = cleanPlateText(plateInput.value);
    var first = text.charAt(0);
    if (PROVINCE_NAMES[first]) {
      state.province = first;
      provinceButton.textContent = first;
      text = text.slice(1);
    }
    if (plateInput.value !== text) {
      plateInput.value = text;
    }
    updatePlate();
  }

  // ---- repeat visitors ---------------------------------------------------------------------

  function lookup(params, then) {
    if (navigator.onLine === false) {
      return;
    }
    var query = Object.keys(params)
      .map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]); })
      .join("&");
    fetch(cfg.urls.lookup + "?" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (body) {
        if (body) {
          then(body.matches || [], params);
        }
      })
      .catch(function () {
        // offline or the session ended: the worker simply types the details
      });
  }

  function describeMatch(match) {
    var bits = [fmt(T.seen_before, { when: shortTime(match.checked_at), place: match.checkpoint })];
    if (match.origin || match.destination) {
      bits.push((match.origin || "?") + " → " + (match.destination || "?"));
    }
    return bits.join(" · ");
  }

  function peopleLine(people) {
    return people.map(function (p) {
      return (p.name || T.no_name) + (p.doc_masked ? " " + p.doc_masked : "");
    }).join("、");
  }

  function showRepeat(matches, params) {
    if (params.plate !== plateValue()) {
      return; // the plate changed while the answer was on its way
    }
    repeatBox.textContent = "";
    var match = matches[0];
    if (!match || !match.people.length) {
      show(repeatBox, false);
      return;
    }
    repeatBox.appendChild(el("p", { className: "seen" }, describeMatch(match)));
    repeatBox.appendChild(el("p", { className: "who" }, peopleLine(match.people)));
    var use = el("button", { type: "button", className: "use", "data-testid": "repeat-use" },
      fmt(T.use_people, { n: match.people.length }));
    use.addEventListener("click", function () {
      usePeople(match, true);
      show(repeatBox, false);
    });
    repeatBox.appendChild(use);
    show(repeatBox, true);
  }

  function usePeople(match, replaceAll) {
    var found = match.people.slice(0, cfg.max_people).map(function (p) {
      var person = blankPerson();
      person.ref = p.ref;
      person.who = (p.name || T.no_name) + (p.doc_masked ? " · " + p.doc_masked : "");
      return person;
    });
    readPeople();
    if (replaceAll) {
      state.people = found;
    } else {
      // One person found by phone or ID: into the first row nobody has filled, else a new row.
      found.forEach(function (person) {
        var slot = -1;
        state.people.some(function (p, i) {
          if (!p.ref && !p.fromFill && !p.name && !p.doc && !p.phone) {
            slot = i;
            return true;
          }
          return false;
        });
        if (slot >= 0) {
          person.temp = state.people[slot].temp;
          state.people[slot] = person;
        } else if (state.people.length < cfg.max_people) {
          state.people.push(person);
        }
      });
    }
    if (!$("#origin").value && match.origin) {
      $("#origin").value = match.origin;
    }
    if (!$("#destination").value && match.destination) {
      $("#destination").value = match.destination;
    }
    renderPeople();
    focusFirstEmptyTemperature();
  }

  function onLookupBox() {
    var raw = halfWidth($("#lookup-q").value).replace(/[\s-]/g, "");
    var out = $("[data-testid=lookup-result]");
    out.textContent = "";
    if (!raw) {
      show(out, false);
      return;
    }
    if (navigator.onLine === false) {
      out.textContent = T.needs_network;
      show(out, true);
      return;
    }
    var params = /^\+?\d{7,15}$/.test(raw) && raw.length !== 15 && raw.length !== 18 ? { phone: raw } : { doc: raw.toUpperCase() };
    lookup(params, function (matches) {
      out.textContent = "";
      if (!matches.length) {
        out.textContent = T.not_found;
        show(out, true);
        return;
      }
      matches.forEach(function (match) {
        var item = el("div", { className: "match" });
        item.appendChild(el("p", { className: "who" }, peopleLine(match.people)));
        item.appendChild(el("p", { className: "seen muted" }, describeMatch(match)));
        var use = el("button", { type: "button", className: "use", "data-testid": "lookup-use" }, T.use_person);
        use.addEventListener("click", function () {
          usePeople(match, false);
          out.textContent = "";
          show(out, false);
          $("#lookup-q").value = "";
        });
        item.appendChild(use);
        out.appendChild(item);
      });
      show(out, true);
    });
  }

  // ---- self-fill codes ---------------------------------------------------------------------

  function onSelfFill(event) {
    event.preventDefault();
    var input = $("[data-testid=selffill-code]");
    var msg = $("[data-testid=selffill-msg]");
    var code = halfWidth(input.value).toUpperCase().replace(/\s/g, "");
    msg.className = "code-msg";
    if (!code) {
      show(msg, false);
      return;
    }
    if (navigator.onLine === false) {
      msg.textContent = T.needs_network;
      show(msg, true);
      return;
    }
    fetch(cfg.urls.selffill + "?code=" + encodeURIComponent(code), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (r) {
        var type = r.headers.get("Content-Type") || "";
        if (type.indexOf("json") < 0) {
          throw new Error("not json");
        }
        return r.json().then(function (body) {
          return { ok: r.ok, body: body };
        });
      })
      .then(function (answer) {
        if (!answer.ok) {
          msg.textContent = (answer.body.errors && answer.body.errors.code) || T.code_unknown;
          msg.classList.add("bad");
          show(msg, true);
          return;
        }
        useFill(answer.body);
        input.value = "";
        show(msg, false);
      })
      .catch(function () {
        msg.textContent = T.needs_network;
        show(msg, true);
      });
  }

  function useFill(fill) {
    readPeople();
    state.fill = { code: fill.code, label: fmt(T.fill_banner, { code: fill.code, n: fill.people.length }) };
    setMode(fill.mode === "vehicle" ? "vehicle" : "foot");
    if (fill.plate) {
      var first = fill.plate.charAt(0);
      if (PROVINCE_NAMES[first]) {
        state.province = first;
        provinceButton.textContent = first;
        plateInput.value = fill.plate.slice(1);
      } else {
        plateInput.value = fill.plate;
      }
    }
    state.people = fill.people.slice(0, cfg.max_people).map(function (p) {
      var person = blankPerson();
      person.fromFill = true;
      person.who = (p.name || T.no_name) + (p.doc_masked ? " · " + p.doc_masked : "");
      return person;
    });
    if (fill.origin) {
      $("#origin").value = fill.origin;
    }
    if (fill.destination) {
      $("#destination").value = fill.destination;
    }
    updatePlate();
    renderFill();
    renderPeople();
    focusFirstEmptyTemperature();
  }

  function renderFill() {
    var banner = $("[data-testid=fill-banner]");
    banner.textContent = "";
    if (!state.fill) {
      show(banner, false);
      return;
    }
    banner.appendChild(el("span", {}, state.fill.label));
    var clear = el("button", { type: "button", className: "link", "data-testid": "fill-clear" }, T.clear);
    clear.addEventListener("click", function () {
      readPeople();
      state.fill = null;
      state.people = state.people.filter(function (p) { return !p.fromFill; });
      if (!state.people.length) {
        state.people = [blankPerson()];
      }
      renderFill();
      renderPeople();
    });
    banner.appendChild(clear);
    show(banner, true);
  }

  // ---- people ----------------------------------------------------------------------------

  function readPeople() {
    $all("li.person", peopleList).forEach(function (li, i) {
      var p = state.people[i];
      if (!p) {
        return;
      }
      p.temp = $(".temp", li).value;
      p.name = $(".p-name", li).value.trim();
      p.docType = $(".p-doc-type", li).value;
      p.doc = $(".p-doc", li).value.trim();
      p.phone = $(".p-phone", li).value.trim();
    });
  }

  function personLabel(i) {
    if (state.mode === "vehicle") {
      return i === 0 ? T.driver : fmt(T.passenger, { n: i });
    }
    return fmt(T.person, { n: i + 1 });
  }

  function renderPeople() {
    peopleList.textContent = "";
    state.people.forEach(function (p, i) {
      var li = personTemplate.content.firstElementChild.cloneNode(true);
      li.setAttribute("data-index", String(i));
      $(".p-label", li).textContent = personLabel(i);
      $(".temp", li).value = p.temp;
      $(".p-name", li).value = p.name;
      $(".p-doc-type", li).value = p.docType || cfg.default_doc_type;
      $(".p-doc", li).value = p.doc;
      $(".p-phone", li).value = p.phone;
      var who = $(".p-who", li);
      who.textContent = p.who;
      var known = !!(p.ref || p.fromFill);
      li.classList.toggle("known", known);
      show($(".p-more", li), !known);
      show($(".p-clear", li), !!p.ref);
      var quick = $(".quick", li);
      cfg.quick.forEach(function (t) {
        quick.appendChild(el("button", { type: "button", "data-t": t, "data-testid": "quick-" + t }, t));
      });
      peopleList.appendChild(li);
      checkTemperature(li);
    });
    $all("[data-count]").forEach(function (b) {
      var n = b.getAttribute("data-count");
      var on = n === "more" ? state.people.length > 5 : Number(n) === state.people.length;
      b.setAttribute("aria-pressed", on ? "true" : "false");
      if (n === "more") {
        b.textContent = state.people.length > 5 ? String(state.people.length) + "+" : "+";
      }
    });
    updateFever();
  }

  function setCount(n) {
    readPeople();
    var minimum = state.people.filter(function (p) { return p.fromFill; }).length || 1;
    n = Math.max(minimum, Math.min(cfg.max_people, n));
    while (state.people.length < n) {
      state.people.push(blankPerson());
    }
    state.people.length = n;
    renderPeople();
  }

  function checkTemperature(li) {
    var input = $(".temp", li);
    var value = readTemperature(input.value);
    var flag = $(".p-flag", li);
    var fever = isFever(value) && inRange(value);
    li.classList.toggle("fever", fever);
    flag.textContent = fever ? T.fever : "";
    $all(".quick button", li).forEach(function (b) {
      b.setAttribute("aria-pressed", value !== null && Number(b.getAttribute("data-t")) === value ? "true" : "false");
    });
    var err = $(".p-error", li);
    if (input.value.trim() && !inRange(value)) {
      err.textContent = T.temp_range;
      show(err, true);
      li.classList.add("invalid");
    } else {
      show(err, false);
      li.classList.remove("invalid");
    }
  }

  function updateFever() {
    var any = $all("li.person", peopleList).some(function (li) {
      return li.classList.contains("fever");
    });
    show(feverWarning, any);
    show($("[data-testid=result-passed]"), !any);
    show($("[data-testid=result-turned_back]"), !any);
    show($("[data-testid=result-fever]"), any);
    form.classList.toggle("has-fever", any);
  }

  function focusFirstEmptyTemperature() {
    var empty = $all("li.person .temp", peopleList).filter(function (i) { return !i.value; })[0];
    if (empty && document.activeElement && document.activeElement.tagName === "INPUT") {
      empty.focus();
    }
  }

  // ---- mode --------------------------------------------------------------------------------

  function setMode(mode) {
    readPeople();
    state.mode = mode;
    try {
      store(".mode", mode); // the mode of the last check is the likely one at this gate
    } catch (e) {
      // storage full: not worth a message
    }
    $all("[data-mode]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-mode") === mode ? "true" : "false");
    });
    $all(".vehicle-only").forEach(function (node) {
      show(node, mode === "vehicle");
    });
    if (mode !== "vehicle") {
      show(provinceGrid, false);
    }
    renderPeople();
  }

  // ---- saving a check ----------------------------------------------------------------------

  function fail(text) {
    problem.textContent = text;
    show(problem, true);
    problem.scrollIntoView({ block: "nearest" });
    return null;
  }

  function buildItem(result) {
    readPeople();
    show(problem, false);
    var plate = "";
    if (state.mode === "vehicle") {
      var rest = cleanPlateText(plateInput.value);
      if (!rest) {
        return fail(T.plate_missing);
      }
      if (!PLATE_REST.test(rest)) {
        return fail(T.bad_plate);
      }
      plate = state.province + rest;
    }
    var people = [];
    for (var i = 0; i < state.people.length; i += 1) {
      var p = state.people[i];
      var value = readTemperature(p.temp);
      if (value === null) {
        return fail(fmt(T.temp_missing, { who: personLabel(i) }));
      }
      if (!inRange(value)) {
        return fail(personLabel(i) + ": " + T.temp_range);
      }
      if (p.ref) {
        people.push({ ref: p.ref, temperature: value });
      } else if (p.fromFill) {
        people.push({ temperature: value });
      } else {
        people.push({
          name: p.name,
          doc_type: p.doc ? p.docType : "",
          doc_number: p.doc,
          phone: p.phone,
          temperature: value,
        });
      }
    }
    var now = new Date();
    return {
      uuid: state.editing ? state.editing.uuid : uuid4(),
      checked_at: state.editing ? state.editing.checked_at : isoLocal(now),
      mode: state.mode,
      plate: plate,
      origin: $("#origin").value.trim(),
      destination: $("#destination").value.trim(),
      result: result === "turned_back" ? "turned_back" : "passed",
      selffill_code: state.fill ? state.fill.code : "",
      note: "",
      people: people,
    };
  }

  function labelOf(item) {
    var bits = [shortTime(item.checked_at)];
    bits.push(item.mode === "vehicle" ? item.plate : T.on_foot);
    bits.push(item.people.length === 1 ? T.one_person : fmt(T.n_people, { n: item.people.length }));
    return bits.join(" · ");
  }

  function rememberPlaces(item) {
    var list = $("#recent-places");
    [item.origin, item.destination].forEach(function (place) {
      if (!place) {
        return;
      }
      var exists = $all("option", list).some(function (o) { return o.value === place; });
      if (!exists) {
        list.insertBefore(el("option", { value: place }), list.firstChild);
      }
    });
  }

  function save(result) {
    var item = buildItem(result);
    if (!item) {
      return;
    }
    var entry = {
      item: item,
      label: labelOf(item),
      who: state.people.map(function (p) { return p.who; }),
      fill: state.fill,
    };
    try {
      var q = queue();
      q.push(entry);
      store(".queue", q);
      if (state.editing) {
        store(".refused", refusedList().filter(function (e) { return e.item.uuid !== item.uuid; }));
      }
    } catch (e) {
      fail(T.storage_full);
      return;
    }
    recent = recent.filter(function (r) { return r.uuid !== item.uuid; });
    recent.unshift({ uuid: item.uuid, label: entry.label, status: "waiting" });
    recent.length = Math.min(recent.length, 5);
    rememberPlaces(item);
    resetForm();
    toast.textContent = isFeverItem(item) ? T.saved_fever : T.saved;
    toast.classList.toggle("fever", isFeverItem(item));
    show(toast, true);
    setTimeout(function () { show(toast, false); }, 2500);
    renderStatus();
    syncNow();
  }

  function isFeverItem(item) {
    return item.people.some(function (p) { return isFever(p.temperature); });
  }

  function resetForm() {
    state.people = [blankPerson()];
    state.fill = null;
    state.editing = null;
    state.province = cfg.default_province;
    provinceButton.textContent = state.province;
    plateInput.value = "";
    $("#origin").value = "";
    $("#destination").value = "";
    show(provinceGrid, false);
    show(repeatBox, false);
    show(problem, false);
    updatePlate();
    renderFill();
    renderPeople();
    if (document.activeElement && document.activeElement.blur) {
      document.activeElement.blur(); // the phone's keyboard closes between checks
    }
  }

  // ---- refused and recent checks -----------------------------------------------------------

  function errorText(errors) {
    var seen = [];
    Object.keys(errors || {}).forEach(function (field) {
      var value = errors[field];
      (Array.isArray(value) ? value : [value]).forEach(function (m) {
        if (seen.indexOf(String(m)) < 0) {
          seen.push(String(m));
        }
      });
    });
    return seen.join(" ");
  }

  function renderRefused() {
    var box = $("[data-testid=refused]");
    if (!box) {
      return;
    }
    var list = $(".refused-list", box);
    var items = refusedList();
    list.textContent = "";
    items.forEach(function (entry) {
      var li = el("li", { "data-testid": "refused-item" });
      li.appendChild(el("strong", {}, entry.label));
      li.appendChild(el("p", { className: "error" }, errorText(entry.errors)));
      var actions = el("div", { className: "actions small" });
      var fix = el("button", { type: "button", "data-testid": "refused-fix" }, T.fix);
      fix.addEventListener("click", function () { editRefused(entry.item.uuid); });
      var drop = el("button", { type: "button", className: "danger", "data-testid": "refused-discard" }, T.discard);
      drop.addEventListener("click", function () {
        if (window.confirm(T.discard_confirm)) {
          store(".refused", refusedList().filter(function (e) { return e.item.uuid !== entry.item.uuid; }));
          renderStatus();
        }
      });
      actions.appendChild(fix);
      actions.appendChild(drop);
      li.appendChild(actions);
      list.appendChild(li);
    });
    show(box, items.length > 0);
  }

  function editRefused(uuid) {
    var entry = refusedList().filter(function (e) { return e.item.uuid === uuid; })[0];
    if (!entry) {
      return;
    }
    var item = entry.item;
    resetForm();
    state.editing = { uuid: item.uuid, checked_at: item.checked_at };
    state.fill = item.selffill_code ? entry.fill || { code: item.selffill_code, label: item.selffill_code } : null;
    setMode(item.mode === "vehicle" ? "vehicle" : "foot");
    if (item.plate) {
      state.province = item.plate.charAt(0);
      provinceButton.textContent = state.province;
      plateInput.value = item.plate.slice(1);
    }
    $("#origin").value = item.origin || "";
    $("#destination").value = item.destination || "";
    state.people = item.people.map(function (p, i) {
      var person = blankPerson();
      person.temp = p.temperature === undefined ? "" : String(p.temperature);
      person.ref = p.ref || "";
      person.fromFill = !p.ref && p.name === undefined && !!item.selffill_code;
      person.who = (entry.who && entry.who[i]) || "";
      person.name = p.name || "";
      person.docType = p.doc_type || cfg.default_doc_type;
      person.doc = p.doc_number || "";
      person.phone = p.phone || "";
      return person;
    });
    updatePlate();
    renderFill();
    renderPeople();
    fail(errorText(entry.errors));
    form.scrollIntoView({ block: "start" });
  }

  function renderRecent() {
    var box = $("[data-testid=recent]");
    if (!box) {
      return;
    }
    var list = $(".recent-list", box);
    list.textContent = "";
    recent.forEach(function (r) {
      var li = el("li", { className: "status-" + r.status });
      li.appendChild(el("span", {}, r.label));
      li.appendChild(el("span", { className: "badge " + r.status }, T["status_" + r.status]));
      list.appendChild(li);
    });
    show(box, recent.length > 0);
  }

  // ---- wiring ----------------------------------------------------------------------------

  function wire() {
    buildProvinceGrid();
    provinceButton.textContent = state.province;
    provinceButton.addEventListener("click", function () {
      var open = provinceGrid.hidden;
      show(provinceGrid, open);
      provinceButton.setAttribute("aria-expanded", open ? "true" : "false");
    });
    provinceGrid.addEventListener("click", function (event) {
      var b = event.target.closest("[data-province]");
      if (!b) {
        return;
      }
      setProvince(b.getAttribute("data-province"));
      show(provinceGrid, false);
      provinceButton.setAttribute("aria-expanded", "false");
      plateInput.focus();
    });
    plateInput.addEventListener("input", onPlateInput);

    $all("[data-mode]").forEach(function (b) {
      b.addEventListener("click", function () {
        setMode(b.getAttribute("data-mode"));
      });
    });
    $("[data-testid=count]").addEventListener("click", function (event) {
      var b = event.target.closest("[data-count]");
      if (!b) {
        return;
      }
      var n = b.getAttribute("data-count");
      setCount(n === "more" ? state.people.length + 1 : Number(n));
    });

    peopleList.addEventListener("click", function (event) {
      var li = event.target.closest("li.person");
      if (!li) {
        return;
      }
      var quick = event.target.closest("[data-t]");
      if (quick) {
        $(".temp", li).value = quick.getAttribute("data-t");
        checkTemperature(li);
        updateFever();
        return;
      }
      if (event.target.closest(".p-clear")) {
        readPeople();
        var p = state.people[Number(li.getAttribute("data-index"))];
        p.ref = "";
        p.who = "";
        renderPeople();
      }
    });
    peopleList.addEventListener("input", function (event) {
      if (event.target.classList.contains("temp")) {
        var li = event.target.closest("li.person");
        checkTemperature(li);
        updateFever();
      }
    });
    peopleList.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target.classList.contains("temp")) {
        event.preventDefault();
        var inputs = $all(".temp", peopleList);
        var next = inputs[inputs.indexOf(event.target) + 1];
        if (next) {
          next.focus();
        } else {
          event.target.blur();
        }
      }
    });
    peopleList.addEventListener("focusout", function (event) {
      if (event.target.classList.contains("temp")) {
        var value = readTemperature(event.target.value);
        if (value !== null && !isNaN(value)) {
          event.target.value = value.toFixed(1);
        }
      }
    });

    $all("[data-result]").forEach(function (b) {
      b.addEventListener("click", function () {
        save(b.getAttribute("data-result"));
      });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
    });

    $("[data-testid=selffill-form]").addEventListener("submit", onSelfFill);
    $("[data-testid=lookup-go]").addEventListener("click", onLookupBox);
    $("#lookup-q").addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        onLookupBox();
      }
    });
    $("[data-testid=sync-now]").addEventListener("click", function () {
      retryDelay = 5000;
      syncNow();
    });

    window.addEventListener("online", function () {
      retryDelay = 5000;
      renderStatus();
      syncNow();
    });
    window.addEventListener("offline", renderStatus);
    window.addEventListener("storage", function (event) {
      if (event.key && event.key.indexOf(KEY) === 0) {
        renderStatus(); // another tab of this page logged or uploaded checks
      }
    });
    // Whatever navigator.onLine says, try again now and then while checks wait.
    setInterval(function () {
      if (queue().length && !retryTimer) {
        syncNow();
      }
    }, 30000);

    if ("serviceWorker" in navigator && cfg.urls.worker && window.isSecureContext) {
      var worker = cfg.urls.worker + "?assets=" + encodeURIComponent(JSON.stringify(cfg.assets));
      navigator.serviceWorker.register(worker, { scope: cfg.urls.scope }).catch(function () {
        // without it the page still works; it only cannot be reloaded offline
      });
    }
  }

  if (!form) {
    renderStatus(); // a closed checkpoint: the page still uploads what is waiting
    syncNow();
    return;
  }
  wire();
  setMode(state.mode);
  updatePlate();
  renderFill();
  renderStatus();
  page.classList.add("ready");
  syncNow();
})();
