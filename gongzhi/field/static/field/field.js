/* The offline field page (docs/field.md). What is saved goes to an IndexedDB queue with a key made
   on the phone (crypto.randomUUID) and the time it was made; the queue is sent to POST /api/v1/sync
   when the connection returns, on load, every 30 s while online, and on "立即上传". The server
   applies each key once, so a retry or a second tab can never double an item; a Web Lock (and a
   BroadcastChannel to refresh the other tabs) keeps two tabs from sending the same queue at once.
   The worker's household list (masked) is kept in IndexedDB too, and thrown away after 7 days or
   when another account signs in. Plain JS, no framework. */
(function () {
  "use strict";
  const root = document.getElementById("field");
  if (!root) return;
  const ME = Number(root.dataset.user);
  const SYNC_URL = root.dataset.syncUrl;
  const DATA_URL = root.dataset.dataUrl;
  const BATCH = 200;
  const T = document.getElementById("t-strings").dataset;
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("gongzhi-field") : null;

  // ---- IndexedDB: "queue" (by key) and "data" (the snapshot) -------------------------------------
  let dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        const open = indexedDB.open("gongzhi-field", 1);
        open.onupgradeneeded = function () {
          open.result.createObjectStore("queue", { keyPath: "key" });
          open.result.createObjectStore("data");
        };
        open.onsuccess = function () { resolve(open.result); };
        open.onerror = function () { reject(open.error); };
      });
    }
    return dbPromise;
  }
  function tx(store, mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        const t = d.transaction(store, mode);
        let result;
        Promise.resolve(work(t.objectStore(store))).then(function (r) { result = r; });
        t.oncomplete = function () { resolve(result); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error); };
      });
    });
  }
  function req(r) {
    return new Promise(function (resolve, reject) {
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }
  const queueAll = function () { return tx("queue", "readonly", function (s) { return req(s.getAll()); }); };
  const queuePut = function (item) { return tx("queue", "readwrite", function (s) { s.put(item); }); };
  const queueDelete = function (key) { return tx("queue", "readwrite", function (s) { s.delete(key); }); };
  const dataGet = function () { return tx("data", "readonly", function (s) { return req(s.get("snapshot")); }); };
  const dataPut = function (v) { return tx("data", "readwrite", function (s) { s.put(v, "snapshot"); }); };
  const dataDelete = function () { return tx("data", "readwrite", function (s) { s.delete("snapshot"); }); };

  // ---- the cached household list ----------------------------------------------------------------
  let snapshot = null;
  async function loadData() {
    let stored = await dataGet();
    if (stored && (stored.user !== ME || new Date(stored.expires_at) < new Date())) {
      await dataDelete(); // another account's, or too old: personal data is not kept past its time
      stored = null;
    }
    snapshot = stored;
    render();
    if (!navigator.onLine) return;
    try {
      const answer = await fetch(DATA_URL, { credentials: "same-origin", cache: "no-store", redirect: "manual" });
      if (answer.ok && answer.type !== "opaqueredirect") {
        snapshot = await answer.json();
        await dataPut(snapshot);
        render();
      }
    } catch (e) { /* offline after all: the stored list serves */ }
  }

  function buildingLabel(id) {
    const b = snapshot && snapshot.buildings.find(function (x) { return x.id === id; });
    return b ? b.label : "#" + id;
  }
  function householdLabel(h) {
    return buildingLabel(h.building) + " " + h.room + (h.name ? " · " + h.name : "");
  }

  function fillHouseholds(select, filter, withBuildings) {
    const chosen = select.value;
    select.textContent = "";
    if (!snapshot) return;
    const words = (filter || "").trim().split(/\s+/).filter(Boolean);
    const matches = function (label) { return words.every(function (w) { return label.indexOf(w) >= 0; }); };
    if (withBuildings) {
      snapshot.buildings.forEach(function (b) {
        if (!matches(b.label)) return;
        select.add(new Option(b.label, "b" + b.id));
      });
    }
    let shown = 0;
    snapshot.households.forEach(function (h) {
      const label = householdLabel(h);
      if (shown >= 300 || !matches(label)) return;
      select.add(new Option(label, withBuildings ? "h" + h.id : String(h.id)));
      shown += 1;
    });
    if (chosen) select.value = chosen;
  }

  function render() {
    const note = document.getElementById("field-data-age");
    if (snapshot && snapshot.too_many_households) {
      note.textContent = T.tooMany;
    } else if (snapshot) {
      note.textContent = T.dataAge.replace("{when}", new Date(snapshot.fetched_at).toLocaleString("zh-CN"))
        .replace("{days}", root.dataset.maxAgeDays);
    } else {
      note.textContent = T.dataExpired;
    }
    document.querySelectorAll("[data-households]").forEach(function (s) {
      fillHouseholds(s, document.querySelector('[data-filter="visit"]').value, false);
    });
    document.querySelectorAll("[data-places]").forEach(function (s) {
      fillHouseholds(s, document.querySelector('[data-filter="concern"]').value, true);
    });
    document.querySelectorAll("[data-categories]").forEach(function (s) {
      const keep = s.value;
      s.querySelectorAll("option[data-code]").forEach(function (o) { o.remove(); });
      ((snapshot && snapshot.categories) || []).forEach(function (c) {
        const o = new Option(c.name, c.code);
        o.dataset.code = c.code;
        s.add(o);
      });
      s.value = keep;
    });
    const list = root.querySelector("[data-duties]");
    list.textContent = "";
    const duties = (snapshot && snapshot.duties) || [];
    root.querySelector("[data-duties-empty]").hidden = duties.length > 0;
    duties.forEach(function (d) {
      const li = document.createElement("li");
      li.textContent = d.label + " ";
      ["served", "no_show"].forEach(function (mark) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "btn";
        b.textContent = T[mark === "served" ? "served" : "no_show"];
        b.dataset.duty = d.id;
        b.dataset.mark = mark;
        li.appendChild(b);
      });
      list.appendChild(li);
    });
  }

  // ---- saving: a queued item, never lost ------------------------------------------------------
  function gridOf(householdId, buildingId) {
    if (!snapshot) return null;
    if (householdId) {
      const h = snapshot.households.find(function (x) { return x.id === householdId; });
      return h ? h.grid : null;
    }
    const b = snapshot.buildings.find(function (x) { return x.id === buildingId; });
    return b ? b.grid : null;
  }

  function payloadOf(kind, form, submitter) {
    const get = function (name) { const f = form.elements[name]; return f ? f.value.trim() : ""; };
    if (kind === "visit") {
      const id = Number(get("household_id"));
      const p = { household_id: id, channel: form.querySelector("input[name=channel]:checked").value,
        raised: get("raised"), handled: get("handled"), suggestions: get("suggestions"), category: get("category") };
      const grid = gridOf(id, null);
      if (grid) p.seen_grid_id = grid;
      return p;
    }
    if (kind === "concern") {
      const place = get("place");
      const p = { category: get("category"), description: get("description"), channel: "visit",
        urgent: form.elements.urgent.checked };
      const id = Number(place.slice(1));
      if (place[0] === "h") p.household_id = id; else p.building_id = id;
      const grid = place[0] === "h" ? gridOf(id, null) : gridOf(null, id);
      if (grid) p.seen_grid_id = grid;
      return p;
    }
    if (kind === "check_in") return { token: tokenOf(get("token")) };
    if (kind === "callup_answer") return { token: tokenOf(get("token")), accept: submitter && submitter.value === "1" };
    return null;
  }

  function tokenOf(text) {
    // A pasted link (…/check-in/<token>/ or …/answer/<token>/yes/) or the bare code.
    const m = text.match(/\/(?:check-in|answer)\/([A-Za-z0-9_-]+)/);
    return m ? m[1] : text;
  }

  function labelOf(kind, p) {
    if (kind === "visit" && snapshot) {
      const h = snapshot.households.find(function (x) { return x.id === p.household_id; });
      return h ? householdLabel(h) : "#" + p.household_id;
    }
    if (kind === "concern") return (p.description || "").slice(0, 30);
    if (kind === "roster_attendance") return (p.label || "") + " " + T[p.attendance === "served" ? "served" : "no_show"];
    if (kind === "callup_answer") return p.accept ? T.yes : T.no;
    return p.token ? p.token.slice(0, 6) + "…" : "";
  }

  async function enqueue(kind, payload, editing) {
    const label = labelOf(kind, payload);
    let item;
    if (editing) {
      item = (await queueAll()).find(function (x) { return x.key === editing; });
    }
    if (item) {
      item.payload = payload; item.status = "pending"; item.errors = {}; item.label = label;
    } else {
      item = { key: crypto.randomUUID(), kind: kind, made_at: new Date().toISOString(), payload: payload,
        status: "pending", errors: {}, user: ME, label: label };
    }
    if (kind === "roster_attendance") delete item.payload.label;
    await queuePut(item); // committed before the form is cleared: a closed page loses nothing
    changed();
    say(T.saved);
    send();
  }

  root.addEventListener("submit", function (event) {
    const form = event.target.closest("form.field-form");
    if (!form) return;
    event.preventDefault();
    const kind = form.dataset.kind;
    const payload = payloadOf(kind, form, event.submitter);
    if (!payload) return;
    const editing = form.dataset.editing || "";
    enqueue(kind, payload, editing).then(function () {
      form.reset();
      delete form.dataset.editing;
      render();
    });
  });

  root.addEventListener("click", function (event) {
    const b = event.target.closest("button");
    if (!b) return;
    if (b.dataset.tab) { showTab(b.dataset.tab); return; }
    if (b.dataset.duty) {
      const li = b.closest("li");
      enqueue("roster_attendance", { duty_id: Number(b.dataset.duty), attendance: b.dataset.mark,
        label: li.firstChild.textContent.trim() });
      return;
    }
    if (b.dataset.discard && confirm(T.confirmDiscard)) { queueDelete(b.dataset.discard).then(changed); return; }
    if (b.dataset.resend) { resend(b.dataset.resend, b.dataset.dropGrid === "1"); return; }
    if (b.dataset.fix) { fix(b.dataset.fix); }
  });

  root.querySelectorAll("[data-filter]").forEach(function (input) {
    input.addEventListener("input", render);
  });

  function showTab(name) {
    root.querySelectorAll("[data-tab]").forEach(function (b) { b.setAttribute("aria-selected", String(b.dataset.tab === name)); });
    root.querySelectorAll(".field-form").forEach(function (f) { f.hidden = f.dataset.kind !== name; });
  }

  async function resend(key, dropGrid) {
    const item = (await queueAll()).find(function (x) { return x.key === key; });
    if (!item) return;
    if (dropGrid) delete item.payload.seen_grid_id; // the worker confirms the place's new grid
    item.status = "pending"; item.errors = {};
    await queuePut(item);
    changed();
    send();
  }

  async function fix(key) {
    const item = (await queueAll()).find(function (x) { return x.key === key; });
    if (!item) return;
    showTab(item.kind);
    const form = document.getElementById("form-" + item.kind);
    form.dataset.editing = key;
    const p = item.payload;
    Object.keys(p).forEach(function (name) {
      const field = form.elements[name];
      if (!field || field instanceof RadioNodeList) return;
      if (field.type === "checkbox") field.checked = !!p[name]; else field.value = p[name];
    });
    if (item.kind === "visit") {
      const radio = form.querySelector('input[name=channel][value="' + p.channel + '"]');
      if (radio) radio.checked = true;
    }
    if (item.kind === "concern") form.elements.place.value = p.household_id ? "h" + p.household_id : "b" + p.building_id;
  }

  // ---- the queue on screen ------------------------------------------------------------------
  async function changed() {
    await showQueue();
    if (channel) channel.postMessage("changed");
  }

  async function showQueue() {
    const items = (await queueAll()).filter(function (x) { return x.user === ME; });
    items.sort(function (a, b) { return a.made_at < b.made_at ? -1 : 1; });
    const count = items.length;
    const badge = document.getElementById("field-pending");
    badge.dataset.count = String(count);
    badge.textContent = count + " " + T.waiting;
    const list = document.getElementById("field-queue");
    list.textContent = "";
    root.querySelector("[data-queue-empty]").hidden = count > 0;
    items.forEach(function (item) {
      const li = document.createElement("li");
      li.dataset.key = item.key;
      li.dataset.status = item.status;
      const head = document.createElement("div");
      head.textContent = T["kind" + item.kind.replace(/(^|_)(\w)/g, function (m, s, c) { return c.toUpperCase(); })] + " · " +
        new Date(item.made_at).toLocaleString("zh-CN") + " · " + (item.label || "") + " · " +
        (item.status === "rejected" ? T.sentBack : T.pending);
      li.appendChild(head);
      if (item.status === "rejected") {
        const why = document.createElement("p");
        why.className = "error";
        why.textContent = Object.values(item.errors || {}).flat().join(" ");
        li.appendChild(why);
        const regrid = item.errors && item.errors.seen_grid_id;
        const again = button(regrid ? T.resend : (item.kind === "visit" || item.kind === "concern" ? T.fix : T.resend));
        if (regrid) { again.dataset.resend = item.key; again.dataset.dropGrid = "1"; }
        else if (item.kind === "visit" || item.kind === "concern") again.dataset.fix = item.key;
        else again.dataset.resend = item.key;
        li.appendChild(again);
      }
      const drop = button(T.discard);
      drop.dataset.discard = item.key;
      li.appendChild(drop);
      list.appendChild(li);
    });
  }

  function button(text) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "btn";
    b.textContent = text;
    return b;
  }

  function say(text) { document.getElementById("field-note").textContent = text; }

  // ---- sending ----------------------------------------------------------------------------------
  function csrf() {
    const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function withLock(work) {
    if (navigator.locks && navigator.locks.request) {
      // One tab sends at a time; the other waits, then finds the queue already sent.
      return navigator.locks.request("gongzhi-field-sync", work);
    }
    return work();
  }

  let sending = false;
  function send() {
    if (!navigator.onLine || sending) return Promise.resolve();
    sending = true;
    return withLock(sendNow).finally(function () { sending = false; });
  }

  async function sendNow() {
    const items = (await queueAll()).filter(function (x) { return x.user === ME && x.status === "pending"; });
    for (let i = 0; i < items.length; i += BATCH) {
      const batch = items.slice(i, i + BATCH);
      let answer;
      try {
        answer = await fetch(SYNC_URL, {
          method: "POST",
          credentials: "same-origin",
          redirect: "manual",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
          body: JSON.stringify({ items: batch.map(function (x) {
            return { key: x.key, kind: x.kind, made_at: x.made_at, payload: x.payload };
          }) }),
        });
      } catch (e) {
        say(T.failed);
        return;
      }
      if (answer.status === 401 || answer.status === 403 || answer.type === "opaqueredirect") { say(T.signin); return; }
      if (!answer.ok) { say(T.failed); return; }
      const results = (await answer.json()).results;
      let rejected = 0;
      for (let n = 0; n < results.length; n += 1) {
        const r = results[n];
        const item = batch[n];
        if (r.status === "created" || r.status === "duplicate") {
          await queueDelete(item.key);
        } else {
          rejected += 1;
          item.status = "rejected";
          item.errors = r.errors || {};
          await queuePut(item);
        }
      }
      say(rejected ? T.rejected : T.sent);
    }
    await changed();
  }

  function showNet() {
    const net = document.getElementById("field-net");
    net.dataset.online = navigator.onLine ? "1" : "0";
    net.textContent = navigator.onLine ? T.online : T.offline;
  }

  window.addEventListener("online", function () { showNet(); send(); loadData(); });
  window.addEventListener("offline", showNet);
  document.getElementById("field-send").addEventListener("click", function () { send(); });
  if (channel) channel.onmessage = function () { showQueue(); };
  setInterval(function () { if (navigator.onLine) send(); }, 30000);

  // Signing out wipes this phone's field data (the server sends Clear-Site-Data): warn first.
  document.querySelectorAll('form[action$="/accounts/logout/"]').forEach(function (f) {
    f.addEventListener("submit", function (event) {
      const count = Number(document.getElementById("field-pending").dataset.count);
      if (count > 0 && !confirm(T.confirmSignout)) { event.preventDefault(); return; }
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage("wipe");
      }
      indexedDB.deleteDatabase("gongzhi-field");
    });
  });

  // A check-in or call-up link opened without signal lands here (the service worker): prefill it.
  (function fromLink() {
    const params = new URLSearchParams(location.search);
    const path = location.pathname;
    let m = path.match(/\/volunteers\/check-in\/([^/]+)\//);
    if (m || params.get("check_in")) {
      showTab("check_in");
      document.getElementById("form-check_in").elements.token.value = m ? m[1] : params.get("check_in");
      return;
    }
    m = path.match(/\/volunteers\/answer\/([^/]+)\//);
    if (m || params.get("answer")) {
      showTab("callup_answer");
      document.getElementById("form-callup_answer").elements.token.value = m ? m[1] : params.get("answer");
    }
  })();

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* served without one */ });
  }
  showNet();
  showQueue().then(send);
  loadData();
})();
