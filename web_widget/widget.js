// 开票助手 chat widget: one <script> tag embeds it (options in README, "Web widget").
// Talks to /ws/chat; messages carry client ids so a reconnect resends unsent ones
// and the server stores each once; the history is shown again after a reload.
(function () {
  "use strict";
  if (window.KaipiaoWidget) { return; }
  var script = document.currentScript;
  var data = (script && script.dataset) || {};
  var extra = window.KaipiaoWidgetOptions || {};
  var scriptOrigin = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  var options = {
    server: (extra.server || data.server || scriptOrigin).replace(/\/$/, ""),
    token: extra.token || data.token || "",
    title: extra.title || data.title || "开票助手",
    primaryColor: extra.primaryColor || data.primaryColor || "#c8102e",
    textColor: extra.textColor || data.textColor || "#ffffff",
    position: extra.position || data.position || "right",
    open: String(extra.open || data.open || "") === "true",
    // Shown at the top of the conversation (not stored); a suggestion is sent as if typed.
    greeting: extra.greeting || data.greeting ||
      "您好！我是开票助手，可以解答开票政策和系统操作问题，登录后还能帮您开具、查询、作废和红冲发票。",
    suggestions: extra.suggestions || ["忘记密码怎么办", "电子发票开错了怎么处理", "帮我开一张发票", "本月开票汇总"]
  };
  var KEY = "kaipiao.widget." + options.server + ".";
  var STATUS = { bot: "智能助手为您服务", waiting: "正在为您转接人工客服…", agent: "人工客服", closed: "会话已结束" };
  var MAX_MESSAGE = 2000;  // the chat API's limit (channels/api/chat.py)
  var state = { socket: null, conversationId: localStorage.getItem(KEY + "conversation"), seen: {},
    pending: JSON.parse(localStorage.getItem(KEY + "pending") || "[]"), retry: 0, unread: 0, typingTimer: null,
    lastTyping: 0, files: {}, notified: {} };
  var ui = {}, call = null;

  // The card renderer, then the calls (web_widget/call.js), from the widget's own server.
  function loadCards(done) {
    loadScript("KaipiaoWidgetCards", "widget-cards.js", function () { loadScript("KaipiaoCall", "call.js", done); });
  }

  function loadScript(name, file, done) {
    if (window[name]) { done(); return; }
    var s = document.createElement("script");
    s.src = options.server + "/static/" + file;
    s.onload = done;
    document.head.appendChild(s);
  }

  function stylesheet() {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = options.server + "/static/widget.css";
    document.head.appendChild(link);
  }

  function build() {
    var C = window.KaipiaoWidgetCards, el = C.el;
    var root = el("div", { "class": "kp-root" + (options.position === "left" ? " kp-left" : "") });
    root.style.setProperty("--kp-primary", options.primaryColor);
    root.style.setProperty("--kp-on-primary", options.textColor);
    ui.launcher = el("button", { type: "button", "class": "kp-launcher", "aria-label": "打开在线客服",
      "aria-expanded": "false", "aria-controls": "kp-panel" }, "客服");
    ui.badge = el("span", { "class": "kp-badge", "aria-hidden": "true" });
    ui.badge.hidden = true;
    ui.launcher.appendChild(ui.badge);
    ui.panel = el("section", { id: "kp-panel", "class": "kp-panel", role: "dialog", "aria-labelledby": "kp-title" });
    ui.panel.hidden = true;
    var header = el("header", { "class": "kp-header" });
    var headings = el("div", { "class": "kp-headings" });
    headings.appendChild(el("h2", { id: "kp-title", "class": "kp-title" }, options.title));
    ui.status = el("div", { "class": "kp-status", role: "status" }, STATUS.bot);
    headings.appendChild(ui.status);
    header.appendChild(headings);
    // While an agent holds the conversation the customer may ask them for a video call.
    ui.callButton = C.button("视频", function () { call.invite("video", state.conversationId); },
      { "class": "kp-call-button", "aria-label": "视频通话", title: "请人工客服与您视频通话" });
    ui.callButton.hidden = true;
    header.appendChild(ui.callButton);
    header.appendChild(C.button("×", close, { "class": "kp-icon-button", "aria-label": "关闭对话窗口" }));
    ui.banner = el("div", { "class": "kp-banner", role: "status", "aria-label": "系统公告" });
    ui.banner.hidden = true;
    ui.call = el("div", { "class": "kp-call-box" });
    ui.list = el("ol", { "class": "kp-messages", "aria-live": "polite", "aria-label": "对话记录" });
    ui.typing = el("div", { "class": "kp-typing", "aria-live": "polite" });
    var form = el("form", { "class": "kp-composer" });
    form.appendChild(el("label", { "for": "kp-input", "class": "kp-visually-hidden" }, "输入消息"));
    // No maxlength: a long paste is refused with a word, never cut silently (see submit).
    ui.input = el("input", { id: "kp-input", type: "text", autocomplete: "off",
      placeholder: "请输入您的问题，例如：忘记密码怎么办" });
    ui.file = el("input", { type: "file", accept: ".xlsx,.csv,.jpg,.jpeg,.png,.webp,.pdf,.ofd,image/*",
      "class": "kp-visually-hidden", "aria-label": "选择批量开票文件或发票文件", tabindex: "-1" });
    ui.file.addEventListener("change", function () { if (ui.file.files[0]) { upload(ui.file.files[0]); } ui.file.value = ""; });
    form.appendChild(C.button("上传", function () { ui.file.click(); }, { "class": "kp-upload", "aria-label": "上传批量开票文件或收到的发票", title: "上传 .xlsx/.csv 批量开票，或上传收到的发票照片、PDF、OFD 识别录入" }));
    form.appendChild(ui.file);
    form.appendChild(ui.input);
    form.appendChild(el("button", { type: "submit", "class": "kp-send" }, "发送"));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = ui.input.value.trim();
      if (text.length > MAX_MESSAGE) {
        showError("这条消息有" + text.length + "个字，单条消息最多" + MAX_MESSAGE +
          "个字，没有发送。请分段发送；批量开票请上传表格。");
        return;
      }
      if (text) { ui.input.value = ""; sendText(text); typing(false); }
    });
    ui.input.addEventListener("input", function () { typing(ui.input.value.trim() !== ""); });
    ui.panel.appendChild(header);
    ui.panel.appendChild(ui.banner);
    ui.panel.appendChild(ui.call);
    ui.panel.appendChild(ui.list);
    ui.panel.appendChild(ui.typing);
    ui.panel.appendChild(form);
    root.appendChild(ui.launcher);
    root.appendChild(ui.panel);
    ui.launcher.addEventListener("click", function () { if (ui.panel.hidden) { open(); } else { close(); } });
    root.addEventListener("keydown", closeOnEscape);
    document.body.appendChild(root);
    call = window.KaipiaoCall.controller({
      side: "user", box: ui.call, send: send, notice: showError,
      iceServers: function () { return state.iceServers; },
      peer: function () { return state.agent ? "人工客服 " + state.agent : "人工客服"; },
      changed: function (now) { ui.callButton.disabled = now !== "idle"; }
    });
  }

  // Escape closes the panel, as it does any dialog, and close() puts the focus back on the
  // launcher. Only inside the widget: the host page's own Escape stays the host page's.
  // Not while an input method is composing: there Escape cancels the composition.
  function closeOnEscape(event) {
    if (event.key !== "Escape" || event.isComposing || event.defaultPrevented || ui.panel.hidden) { return; }
    event.preventDefault();
    close();
  }

  function open() {
    if (!ui.panel) { options.open = true; return; }
    ui.panel.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "true");
    ui.launcher.setAttribute("aria-label", "收起在线客服");
    state.unread = 0;
    ui.badge.hidden = true;
    if (!state.socket) { connect(); }
    if (!state.noticeTimer) { loadNotices(); state.noticeTimer = setInterval(loadNotices, 60000); }
    ui.input.focus();
  }

  // System notices (GET /api/v1/notices): those the server says are shown now (current, or
  // starting within a day) as a banner under the header; a maintenance window in red.
  function loadNotices() {
    fetch(options.server + "/api/v1/notices").then(function (response) {
      return response.ok ? response.json() : { items: [] };
    }).then(function (data) {
      var shown = data.items.filter(function (n) { return n.shown; });
      var C = window.KaipiaoWidgetCards;
      ui.banner.textContent = "";
      shown.forEach(function (n) {
        var now = n.maintenance && n.current;
        ui.banner.appendChild(C.el("p", { "class": "kp-banner-line" + (now ? " kp-banner-now" : "") }, n.line));
      });
      ui.banner.hidden = shown.length === 0;
      // A notice ending before the next minute's look goes when it ends.
      var ending = Math.min.apply(null, shown.map(function (n) { return Date.parse(n.ends_at) - Date.now(); }));
      if (ending < 60000) { setTimeout(loadNotices, Math.max(ending, 0) + 1000); }
    }).catch(function () {});  // no banner while the server is out of reach
  }

  function close() {
    if (!ui.panel) { return; }
    ui.panel.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.launcher.setAttribute("aria-label", "打开在线客服");
    ui.launcher.focus();
  }

  function connect() {
    var url = options.server.replace(/^http/, "ws") + "/ws/chat";
    var socket = new WebSocket(url);
    state.socket = socket;
    socket.onopen = function () {
      var hello = { type: "hello" };
      if (options.token) { hello.token = options.token; }
      if (state.conversationId) { hello.conversation_id = state.conversationId; }
      socket.send(JSON.stringify(hello));
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      receive(frame);
    };
    socket.onclose = function () {
      if (state.socket !== socket) { return; }
      state.socket = null;
      showStatus("连接已断开，正在重新连接…");
      var delay = Math.min(1000 * Math.pow(2, state.retry++), 10000);
      setTimeout(function () { if (!state.socket) { connect(); } }, delay);
    };
  }

  function send(frame) {
    if (state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function receive(frame) {
    if (frame.type === "welcome") { welcome(frame); }
    else if (frame.type === "message") { show(frame.message); }
    else if (frame.type === "state") { setState(frame.state, frame.agent); }
    else if (frame.type === "typing") { showTyping(frame.role, frame.on); }
    else if (frame.type === "ack") { settle(frame.client_id); }
    else if (frame.type === "call") { call.receive(frame); }
    else if (frame.type === "notification") { showNotification(frame); }
    else if (frame.type === "error") {
      showError(frame.message);
      if (/^call_/.test(frame.code || "")) { call.refused(); }
      // Refused for now (the rate limit, a busy database): the message stays pending and
      // goes again when allowed.
      if (frame.client_id && frame.retry_after) { resendLater(frame.client_id, frame.retry_after); }
    }
  }

  function resendLater(clientId, seconds) {
    setTimeout(function () {
      state.pending.forEach(function (p) {
        if (p.client_id === clientId) { send({ type: "message", text: p.text, client_id: p.client_id }); }
      });
    }, seconds * 1000);
  }

  function welcome(frame) {
    state.retry = 0;
    state.conversationId = frame.conversation_id;
    state.iceServers = frame.ice_servers || [];
    localStorage.setItem(KEY + "conversation", frame.conversation_id);
    ui.list.textContent = "";
    state.seen = {};
    showIntro();
    frame.messages.forEach(show);
    setState(frame.state, frame.agent);
    state.pending.forEach(function (p) {
      showPending(p);
      send({ type: "message", text: p.text, client_id: p.client_id });
    });
  }

  function setState(name, agent) {
    state.conversationState = name;
    state.agent = agent;
    ui.callButton.hidden = name !== "agent";
    if (name !== "agent") { call.end(); }
    showStatus(name === "agent" && agent ? "人工客服 " + agent + " 为您服务" : STATUS[name] || "");
  }

  function showStatus(text) { ui.status.textContent = text; }

  // A new in-app notification of the logged-in user, live (the same as on /notifications,
  // where it can be marked read). Not part of the conversation: a welcome clears it.
  function showNotification(frame) {
    if (state.notified[frame.id]) { return; }
    state.notified[frame.id] = true;
    var C = window.KaipiaoWidgetCards;
    var item = C.el("li", { "class": "kp-msg kp-notice" + (frame.urgent ? " kp-urgent" : ""), role: "status" });
    item.appendChild(C.el("strong", { "class": "kp-notice-title" }, "新通知：" + frame.title));
    if (frame.body) { item.appendChild(C.el("p", { "class": "kp-notice-body" }, frame.body)); }
    item.appendChild(C.el("a", { "class": "kp-notice-link", href: options.server + "/notifications",
      target: "_blank", rel: "noopener" }, "查看全部通知"));
    append(item);
    countUnread();
  }

  function show(message) {
    if (message.id !== undefined) {
      if (state.seen[message.id]) { return; }
      state.seen[message.id] = true;
    }
    if (message.client_id) { settle(message.client_id); }
    if (message.role !== "user") { showTyping(message.role, false); }
    var C = window.KaipiaoWidgetCards;
    var item = C.el("li", { "class": "kp-msg kp-" + message.role });
    if (message.role === "agent" && message.author) {
      item.appendChild(C.el("span", { "class": "kp-author" }, "人工客服 " + message.author));
    }
    var text = message.text || "", basis = message.card && message.card.basis;
    // A knowledge answer ends with its basis ("依据：…"), shown apart in small type.
    if (basis && text.slice(-basis.length) === basis) { text = text.slice(0, -basis.length).trim(); }
    item.appendChild(document.createTextNode(text));
    if (basis) { item.appendChild(C.el("p", { "class": "kp-basis" }, basis)); }
    if (message.buttons && message.buttons.length) {
      var row = C.el("div", { "class": "kp-buttons" });
      message.buttons.forEach(function (b) {
        row.appendChild(C.button(b.title, function () { quickReply(b); }));
      });
      item.appendChild(row);
    }
    if (message.card) { item.appendChild(C.render(message.card, cardContext(message.id))); }
    append(item);
    if (message.role !== "user") { countUnread(); }
  }

  // Something new while the panel is closed: the launcher's badge counts it.
  function countUnread() {
    if (!ui.panel.hidden) { return; }
    state.unread += 1;
    ui.badge.textContent = String(state.unread);
    ui.badge.hidden = false;
  }

  function showIntro() {
    var C = window.KaipiaoWidgetCards;
    var item = C.el("li", { "class": "kp-msg kp-intro" }, options.greeting);
    var row = C.el("div", { "class": "kp-buttons", role: "group", "aria-label": "猜您想问" });
    options.suggestions.forEach(function (text) {
      row.appendChild(C.button(text, function () { sendText(text); }));
    });
    item.appendChild(row);
    append(item);
  }

  function append(item) {
    ui.list.appendChild(item);
    ui.list.scrollTop = ui.list.scrollHeight;
  }

  function quickReply(b) {
    if (b.payload === "/back_to_bot") { send({ type: "back_to_bot" }); return; }
    sendText(b.payload, b.title);
  }

  function sendText(text, shown) {
    var p = { client_id: newId(), text: text, shown: shown || text };
    state.pending.push(p);
    savePending();
    showPending(p);
    send({ type: "message", text: text, client_id: p.client_id });
  }

  function showPending(p) {
    var item = window.KaipiaoWidgetCards.el("li", { "class": "kp-msg kp-user kp-pending", "data-client-id": p.client_id }, p.shown);
    append(item);
  }

  function settle(clientId) {
    state.pending = state.pending.filter(function (p) { return p.client_id !== clientId; });
    savePending();
    var item = ui.list.querySelector('[data-client-id="' + clientId + '"]');
    if (item) { item.parentNode.removeChild(item); }
  }

  function savePending() { localStorage.setItem(KEY + "pending", JSON.stringify(state.pending)); }

  function newId() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID()
      : Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function showTyping(role, on) {
    clearTimeout(state.typingTimer);
    if (!on || role === "user") { ui.typing.textContent = ""; return; }
    ui.typing.textContent = role === "agent" ? "人工客服正在输入…" : "智能助手正在输入…";
    state.typingTimer = setTimeout(function () { ui.typing.textContent = ""; }, 15000);
  }

  function typing(on) {
    var now = Date.now();
    if (on && now - state.lastTyping < 3000) { return; }
    state.lastTyping = on ? now : 0;
    send({ type: "typing", on: on });
  }

  function showError(text) {
    append(window.KaipiaoWidgetCards.el("li", { "class": "kp-msg kp-error", role: "alert" }, text));
  }

  function authHeaders() { return options.token ? { Authorization: "Bearer " + options.token } : {}; }

  function download(path, filename) {
    if (!/^\/api\/v1\//.test(path)) { return; }
    if (!options.token) { showError("请先登录后再下载发票。"); return; }
    fetch(options.server + path, { headers: authHeaders() }).then(function (response) {
      if (!response.ok) { throw new Error("下载失败（" + response.status + "），请稍后再试。"); }
      return response.blob();
    }).then(function (blob) {
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    }).catch(function (error) { showError(error.message); });
  }

  // A batch file is checked first (mode "preview" issues nothing); only the user's choice
  // on the preview card issues it. Both go through the conversation (POST /api/v1/chat/batch),
  // so the preview and the result stay in it: after a reload and in the agent's console.
  // A spreadsheet is a batch to issue; a photo, scan, PDF or OFD is an invoice received,
  // read by recognition (POST /api/v1/chat/recognition) and recorded only on the card's choice.
  function upload(file) {
    var batch = /\.(xlsx|csv)$/i.test(file.name);
    var invoice = /\.(jpe?g|png|webp|pdf|ofd)$/i.test(file.name) || /^image\//.test(file.type);
    if (!options.token) { showError(batch ? "请先登录后再批量开票。" : "请先登录后再识别发票。"); return; }
    if (!batch && !invoice) { showError("只支持 .xlsx/.csv 批量开票文件，或 JPG、PNG、WebP、PDF、OFD 格式的发票。"); return; }
    if (file.size > 10 * 1024 * 1024) { showError("文件过大，请不要超过 10MB。"); return; }
    if (!state.conversationId) { showError("正在连接，请稍后再上传。"); return; }
    if (!batch) { sendForm("/api/v1/chat/recognition", { file: file }); return; }
    state.files[file.name] = file;
    sendBatch(file, "preview");
  }

  function recordRecognition(card, corrections) {
    return sendJson("/api/v1/chat/recognition/record", { recognition_id: card.id, corrections: corrections || {} });
  }

  function sendBatch(file, mode) {
    sendForm("/api/v1/chat/batch", { mode: mode, file: file });
  }

  function sendForm(path, fields) {
    var body = new FormData();
    body.append("conversation_id", state.conversationId);
    Object.keys(fields).forEach(function (name) { body.append(name, fields[name]); });
    postTurn(path, { method: "POST", headers: authHeaders(), body: body });
  }

  function sendJson(path, fields) {
    var headers = Object.assign({ "content-type": "application/json" }, authHeaders());
    var body = JSON.stringify(Object.assign({ conversation_id: state.conversationId }, fields));
    return postTurn(path, { method: "POST", headers: headers, body: body });
  }

  // The exchange is stored even when the core refuses: its messages show either way.
  // Resolves to whether the core accepted it.
  function postTurn(path, init) {
    return fetch(options.server + path, init).then(function (response) {
      return response.json().then(function (data) { (data.messages || []).forEach(show); return response.ok; });
    }).catch(function () { showError("网络连接失败，请检查网络后重试。"); return false; });
  }

  // The user's choice on a preview card; the file is only in this page's memory.
  function chooseBatch(card, choice) {
    var file = state.files[card.filename];
    if (choice === "reupload") { ui.file.click(); return; }
    if (choice === "cancel") { append(window.KaipiaoWidgetCards.el("li", { "class": "kp-msg kp-bot" }, "好的，这批发票没有开具。")); return; }
    if (!file) { showError("请重新上传“" + card.filename + "”后再开具（页面刷新后文件需要重新选择）。"); return; }
    sendBatch(file, card.rejected.length ? "issue_valid" : "issue");
  }

  function cardContext(messageId) {
    return {
      messageId: messageId,
      frame: send,
      download: download,
      chooseBatch: chooseBatch,
      recordRecognition: recordRecognition,
      logIn: logIn,
      loggedIn: function () { return Boolean(options.token); },
      listInvoices: function (query) {
        return callApi("/api/v1/invoices?" + new URLSearchParams(query), { headers: authHeaders() })
          .catch(function (error) { showError(error.message); throw error; });
      },
      // Cards already acted on (rated, issued) keep their buttons off, after a reload too.
      settle: function (cards) {
        var controls = ui.list.querySelectorAll(cards + " button, " + cards + " input");
        Array.prototype.forEach.call(controls, function (b) { b.disabled = true; });
      },
      uploadControl: function () {
        return window.KaipiaoWidgetCards.button("选择文件上传", function () { ui.file.click(); });
      }
    };
  }

  // The login card's form: the token goes to the widget, and the host page hears of it
  // ("kaipiao:login" on window) to show the user as logged in too.
  function logIn(username, password) {
    return callApi("/api/v1/auth/token", {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: username, password: password })
    }).then(function (data) {
      setToken(data.access_token);
      window.dispatchEvent(new CustomEvent("kaipiao:login", { detail: { token: data.access_token, username: username } }));
      return username;
    });
  }

  // The app's JSON, or an Error with its Chinese message (or the network's).
  function callApi(path, init) {
    return fetch(options.server + path, init).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error((data.error && data.error.message) || "请求失败，请稍后再试。"); }
        return data;
      });
    }, function () { throw new Error("网络连接失败，请检查网络后重试。"); });
  }

  function setToken(token) {
    options.token = token || "";
    if (state.socket) { var old = state.socket; state.socket = null; old.close(); }
    // Logged in, the socket stays open with the panel closed too: notifications arrive live.
    if (ui.panel && (!ui.panel.hidden || options.token)) { connect(); }
  }

  window.KaipiaoWidget = { open: function () { open(); }, close: function () { close(); }, setToken: setToken, options: options };
  function start() {
    stylesheet();
    loadCards(function () {
      build();
      if (options.open || state.conversationId || options.token) { connect(); }
      if (options.open) { open(); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
