// The agent console: log in as an agent, see the queue, hold conversations, reply.
// All user text is set with textContent: HTML in messages is shown, never run.
(function () {
  "use strict";
  var TOKEN = "kaipiao.console.token";
  var REASONS = { user_request: "用户要求转人工", unanswered: "连续未能回答", bot_error: "机器人故障" };
  var STATES = { bot: "机器人接待中", waiting: "排队中", agent: "人工接待中", closed: "已结束" };
  var s = { token: sessionStorage.getItem(TOKEN), me: null, current: null, seen: {}, known: {}, socket: null,
    queue: [], lastTyping: 0, typingTimer: null, iceServers: [] };
  var $ = function (id) { return document.getElementById(id); };

  // widget-cards.js (loaded first by the page) is the one home of the DOM helper.
  var el = window.KaipiaoWidgetCards.el;
  var call = null;  // the video call or screen share (call.js), one at a time

  function startCalls() {
    call = window.KaipiaoCall.controller({
      side: "agent", box: $("call"), notice: function (text) { fail(new Error(text)); },
      send: function (frame) {
        if (s.socket && s.socket.readyState === WebSocket.OPEN) { s.socket.send(JSON.stringify(frame)); }
      },
      iceServers: function () { return s.iceServers; },
      peer: function (id) { return "客户 #" + String(id || "").slice(0, 6); },
      opened: function (id) { if (id && s.current !== id) { openConversation(id); } },
      changed: function () { callButtons(); toNewest(); }
    });
  }

  function api(method, path, body) {
    var init = { method: method, headers: { Authorization: "Bearer " + s.token } };
    if (body !== undefined) { init.headers["content-type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch("/api/v1/agent" + path, init).then(function (response) {
      if (response.status === 204) { return null; }
      return response.json().then(function (data) {
        if (response.status === 401) { logout(); }
        if (!response.ok) { throw new Error((data.error && data.error.message) || "请求失败"); }
        return data;
      });
    });
  }

  // Errors show in the console's alert line (an alert() box would hide the page and be lost).
  function fail(error) { $("console-error").textContent = error.message; }

  function waited(since) {
    if (!since) { return ""; }
    var seconds = Math.max(0, Math.floor((Date.now() - new Date(since).getTime()) / 1000));
    var m = Math.floor(seconds / 60);
    return "已等待 " + (m ? m + "分" : "") + (seconds % 60) + "秒";
  }

  var CHANNELS = { widget: "网页", api: "API", wechat: "微信", wecom: "企业微信", email: "邮件" };

  // The customer, where they write from and which conversation: one user may have several.
  function who(c) {
    var name = c.username || "访客";
    return name + " · " + (CHANNELS[c.channel] || c.channel || "") + " · #" + c.conversation_id.slice(0, 6);
  }

  function item(c, sub, extra) {
    var li = el("li");
    var b = el("button", { type: "button", "data-id": c.conversation_id }, who(c));
    if (s.current === c.conversation_id) { b.setAttribute("aria-current", "true"); }
    if (extra) { b.appendChild(extra); }
    b.appendChild(el("span", { "class": "sub" }, sub));
    b.addEventListener("click", function () { openConversation(c.conversation_id); });
    li.appendChild(b);
    return li;
  }

  function refreshQueue() {
    return api("GET", "/queue").then(function (data) {
      s.queue = data.items;
      renderQueue();
    }).catch(function () {});
  }

  function renderQueue() {
    var list = $("queue");
    list.textContent = "";
    $("queue-count").textContent = String(s.queue.length);
    s.queue.forEach(function (c) {
      var li = item(c, [c.topic_label, REASONS[c.reason], c.last_text].filter(Boolean).join(" · "));
      var wait = el("span", { "class": "sub waited", "data-since": c.waiting_since }, waited(c.waiting_since));
      li.firstChild.appendChild(wait);
      list.appendChild(li);
    });
  }

  function refreshMine() {
    return api("GET", "/conversations").then(function (data) {
      var list = $("mine");
      list.textContent = "";
      data.items.forEach(function (c) {
        var badge = c.unread ? el("span", { "class": "unread", "aria-label": c.unread + " 条未读" }, c.unread) : null;
        list.appendChild(item(c, c.last_text, badge));
      });
    }).catch(function () {});
  }

  // Open tickets, the oldest first, a page at a time; the count is all of them.
  var TICKET_PAGE = 50;

  function refreshTickets() {
    $("tickets").textContent = "";
    return moreTickets().catch(function () {});
  }

  function moreTickets() {
    var list = $("tickets");
    var shown = list.querySelectorAll("li.ticket-item").length;
    return api("GET", "/tickets?limit=" + TICKET_PAGE + "&offset=" + shown).then(function (data) {
      $("tickets-count").textContent = String(data.total);
      var old = list.querySelector("li.more");
      if (old) { list.removeChild(old); }
      data.items.forEach(function (t) {
        var li = el("li", { "class": "ticket-item" });
        var box = el("div", { "class": "ticket" });
        box.appendChild(el("strong", {}, "工单 " + t.id + " · " + t.contact));
        box.appendChild(el("span", { "class": "sub" }, t.text));
        var done = el("button", { type: "button" }, "标记已处理");
        done.addEventListener("click", function () { api("POST", "/tickets/" + t.id + "/close").then(refreshTickets, fail); });
        box.appendChild(done);
        li.appendChild(box);
        list.appendChild(li);
      });
      var left = data.total - shown - data.items.length;
      if (left > 0) {
        var li = el("li", { "class": "more" });
        var more = el("button", { type: "button" }, "显示更多（还有 " + left + " 条）");
        more.addEventListener("click", function () { moreTickets().catch(fail); });
        li.appendChild(more);
        list.appendChild(li);
      }
    });
  }

  function refreshLists() { refreshQueue(); refreshMine(); }

  // A snapshot can be older than a live message already shown (a user's message sent while
  // the claim was being answered): the transcript is the union of both, in id order.
  function openConversation(id) {
    if (s.current !== id) {
      s.known = {};
      s.conversation = null;
      $("transcript").textContent = "";
      $("conversation-title").textContent = "正在打开会话…";
      // On a phone the lists stack above the conversation: bring the conversation into view.
      if (window.matchMedia("(max-width: 900px)").matches) { document.querySelector(".conversation").scrollIntoView(); }
    }
    s.current = id;
    api("GET", "/conversations/" + id).then(function (c) {
      if (s.current !== id) { return; }
      c.messages.forEach(function (m) { s.known[m.id] = m; });
      s.seen = {};
      s.lastQuestion = null;
      $("transcript").textContent = "";
      Object.keys(s.known).map(Number).sort(function (a, b) { return a - b; })
        .forEach(function (key) { show(s.known[key]); });
      header(c);
      toNewest();  // again: the header may have just shown the reply box below
      refreshMine();
      renderQueue();
    }, function (error) { s.current = null; fail(error); refreshLists(); });
  }

  function mayRead(c) { return c.state === "waiting" || c.agent === s.me.username; }

  function header(c) {
    s.conversation = c;
    $("console-error").textContent = "";
    var mine = c.state === "agent" && c.agent === s.me.username;
    $("conversation-title").textContent = who(c) + " · " + (STATES[c.state] || c.state) +
      (c.topic_label ? " · " + c.topic_label : "") +
      (c.waiting_since && c.state === "waiting" ? " · " + waited(c.waiting_since) : "");
    $("actions").hidden = false;
    $("claim").hidden = c.state !== "waiting";
    ["transfer", "transfer-to"].forEach(function (id) { $(id).hidden = !mine; });
    $("hand-back").hidden = !(mine || c.state === "waiting");
    $("close").hidden = !(mine || c.state === "waiting");
    $("composer").hidden = !mine;
    s.callable = mine && c.channel === "widget";
    callButtons();
    if (mine) { loadAgents(); loadCustomer(c.conversation_id); } else { $("customer").textContent = ""; }
  }

  // Calls: with a customer of the web widget whom this agent holds, one call at a time.
  function callButtons() {
    var idle = !call || call.state === "idle";
    ["call-video", "call-screen"].forEach(function (id) { $(id).hidden = !(s.callable && idle); });
  }

  function show(m) {
    if (s.seen[m.id]) { return; }
    s.seen[m.id] = true;
    s.known[m.id] = m;
    var labels = { user: "用户", bot: "智能助手", agent: "客服 " + (m.author || ""), system: "" };
    var li = el("li", { "class": m.role });
    if (labels[m.role]) { li.appendChild(el("span", { "class": "who" }, labels[m.role])); }
    li.appendChild(document.createTextNode(m.text));
    if (m.card) { li.appendChild(card(m.card)); }
    if (m.role === "user") { s.lastQuestion = m.text; }
    if (m.role === "agent" && s.lastQuestion) { li.appendChild(draftButton(s.lastQuestion, m.text)); }
    $("transcript").appendChild(li);
    toNewest();
  }

  function toNewest() { $("transcript").scrollTop = $("transcript").scrollHeight; }

  // The card the user saw, drawn by the widget's own renderer, with its controls disabled:
  // the agent reads it, the user is the one who acts on it.
  // Only what renderers call while drawing; click handlers never run on disabled controls.
  var READ_ONLY = {
    settle: function () {},
    loggedIn: function () { return false; },
    uploadControl: function () { return el("span", { "class": "muted" }, "（用户端的上传表格按钮）"); }
  };

  function card(data) {
    var box = window.KaipiaoWidgetCards.render(data, READ_ONLY);
    Array.prototype.forEach.call(box.querySelectorAll("button, input, textarea, select"), function (control) {
      control.disabled = true;
    });
    return box;
  }

  // An agent's reply becomes a draft knowledge entry (question: the user's message before it).
  function draftButton(question, answer) {
    var b = el("button", { type: "button", "class": "draft" }, "存为知识草稿");
    b.addEventListener("click", function () {
      fetch("/api/v1/knowledge/drafts", {
        method: "POST",
        headers: { Authorization: "Bearer " + s.token, "content-type": "application/json" },
        body: JSON.stringify({ question: question.slice(0, 500), answer: answer.slice(0, 5000) })
      }).then(function (r) { return r.json().then(function (d) { if (!r.ok) { throw new Error(d.error.message); } return d; }); })
        .then(function (d) { b.disabled = true; b.textContent = "已存为草稿 " + d.version.entry_id; })
        .catch(fail);
    });
    return b;
  }

  function loadAgents() {
    api("GET", "/agents").then(function (data) {
      var select = $("transfer-to");
      var others = data.items.filter(function (a) { return a.username !== s.me.username; });
      select.textContent = "";
      others.forEach(function (a) {
        select.appendChild(el("option", { value: a.username }, a.display_name + "（" + a.username + "）"));
      });
      if (!others.length) { select.appendChild(el("option", { value: "" }, "暂无其他在线客服")); }
      select.disabled = $("transfer").disabled = !others.length;
    }).catch(function () {});
  }

  function loadCustomer(id) {
    api("GET", "/conversations/" + id + "/customer").then(function (c) {
      var box = $("customer");
      box.textContent = "";
      if (!c.username) { box.appendChild(el("p", { "class": "muted" }, "访客未登录，没有企业信息。")); return; }
      var dl = el("dl");
      [["用户", c.username + (c.display_name ? "（" + c.display_name + "）" : "")],
       ["企业", c.company ? c.company.name : "—"], ["税号", c.company ? c.company.tax_id : "—"]]
        .forEach(function (p) { dl.appendChild(el("dt", {}, p[0])); dl.appendChild(el("dd", {}, p[1])); });
      box.appendChild(dl);
      box.appendChild(el("h3", {}, "最近发票"));
      if (!c.invoices.length) { box.appendChild(el("p", { "class": "muted" }, "暂无发票")); return; }
      // One entry per invoice, on lines that fit the panel: number and status, buyer,
      // date and amount (a five-column table squashed the names to a character a line).
      var list = el("ul", { "class": "invoices", "aria-label": "最近发票" });
      c.invoices.forEach(function (i) {
        var li = el("li");
        var top = el("div", { "class": "line" });
        top.appendChild(el("span", { "class": "number" }, i.number));
        top.appendChild(el("span", { "class": "status " + (i.status_code || "") }, i.status));
        li.appendChild(top);
        li.appendChild(el("span", { "class": "buyer" }, i.buyer));
        var bottom = el("div", { "class": "line" });
        bottom.appendChild(el("span", { "class": "muted" }, i.issued_at));
        bottom.appendChild(el("span", { "class": "amount" }, "¥" + i.total_with_tax));
        li.appendChild(bottom);
        list.appendChild(li);
      });
      box.appendChild(list);
    }).catch(function () {});
  }

  // After a hand-back, close or transfer the conversation is no longer this agent's: its
  // transcript stays on screen, read-only, with the new state in the header.
  function act(path, body) {
    if (call && call.conversationId === s.current) { call.hangup(); }  // released: the call ends
    return api("POST", "/conversations/" + s.current + path, body).then(function (c) {
      refreshLists();
      changed(c);
    }, fail);
  }

  function changed(c) {
    if (mayRead(c)) { openConversation(c.conversation_id); } else { header(Object.assign({}, s.conversation, c)); }
  }

  // A supervisor sets which topics each agent takes; every change is saved at once.
  function openSkills() {
    api("GET", "/skills").then(function (data) {
      var head = $("skills-head");
      while (head.children.length > 1) { head.removeChild(head.lastChild); }
      data.topics.forEach(function (t) { head.appendChild(el("th", { scope: "col" }, t.label)); });
      var rows = $("skills-rows");
      rows.textContent = "";
      data.items.forEach(function (a) { rows.appendChild(skillRow(a, data.topics)); });
      $("skills-status").textContent = data.items.length ? "" : "还没有客服登录过工作台。";
      $("skills-dialog").showModal();
    }, fail);
  }

  function skillRow(agent, topics) {
    var tr = el("tr", { "data-username": agent.username });
    tr.appendChild(el("th", { scope: "row" }, agent.display_name + "（" + agent.username + "）"));
    topics.forEach(function (t) {
      var box = el("input", { type: "checkbox", value: t.code, "aria-label": agent.display_name + " " + t.label });
      box.checked = agent.skills.indexOf(t.code) >= 0;
      box.addEventListener("change", function () {
        var chosen = Array.prototype.filter.call(tr.querySelectorAll("input"), function (b) { return b.checked; })
          .map(function (b) { return b.value; });
        api("PUT", "/agents/" + encodeURIComponent(agent.username) + "/skills", { skills: chosen }).then(function () {
          $("skills-status").textContent = "已保存 " + agent.display_name + " 的技能";
        }, function (error) { box.checked = !box.checked; $("skills-status").textContent = error.message; });
      });
      var td = el("td");
      td.appendChild(box);
      tr.appendChild(td);
    });
    return tr;
  }

  function connect() {
    var socket = new WebSocket(location.origin.replace(/^http/, "ws") + "/ws/agent");
    s.socket = socket;
    socket.onopen = function () { socket.send(JSON.stringify({ type: "hello", token: s.token })); };
    socket.onmessage = function (event) { live(JSON.parse(event.data)); };
    socket.onclose = function () {
      if (s.socket === socket && s.token) { s.socket = null; setTimeout(connect, 2000); }
    };
  }

  function live(frame) {
    // A welcome comes on every (re)connection and after the server may have missed live
    // events: read the lists and the open conversation again.
    if (frame.type === "welcome") {
      s.iceServers = frame.ice_servers || [];
      $("me").textContent = s.me.display_name + " · 在线";
      refreshLists();
      if (s.current) { openConversation(s.current); }
    }
    else if (frame.type === "message") {
      if (frame.conversation_id === s.current) {
        show(frame.message);
        if (!$("composer").hidden) { api("POST", "/conversations/" + s.current + "/read").catch(function () {}); }
      }
      refreshLists();
    } else if (frame.type === "call") {
      call.receive(frame);
    } else if (frame.type === "state") {
      if (call && frame.conversation_id === call.conversationId && (frame.state !== "agent" || frame.agent_username !== s.me.username)) {
        call.end();
      }
      refreshLists();
      if (frame.conversation_id === s.current && s.conversation) {
        changed({ conversation_id: frame.conversation_id, state: frame.state, agent: frame.agent_username, agent_name: frame.agent });
      }
    } else if (frame.type === "typing" && frame.role === "user" && frame.conversation_id === s.current) {
      clearTimeout(s.typingTimer);
      $("typing").textContent = frame.on ? "用户正在输入…" : "";
      s.typingTimer = setTimeout(function () { $("typing").textContent = ""; }, 15000);
    } else if (frame.type === "ticket") { refreshTickets(); }
    else if (frame.type === "error" && /^call_/.test(frame.code || "")) { call.refused(); fail(frame); }
    else if (frame.type === "error") { $("me").textContent = frame.message; }
  }

  function typing(on) {
    var now = Date.now();
    if (on && now - s.lastTyping < 3000) { return; }
    s.lastTyping = on ? now : 0;
    if (s.socket && s.socket.readyState === WebSocket.OPEN && s.current) {
      s.socket.send(JSON.stringify({ type: "typing", conversation_id: s.current, on: on }));
    }
  }

  function send() {
    var text = $("reply").value.trim();
    if (!text || !s.current) { return; }
    api("POST", "/conversations/" + s.current + "/messages", { text: text }).then(function (m) {
      $("reply").value = "";
      typing(false);
      show(m);
    }, fail);
  }

  function start() {
    api("GET", "/me").then(function (me) {
      s.me = me;
      $("login-view").hidden = true;
      $("app").hidden = false;
      $("me").textContent = me.display_name;
      $("skills-open").hidden = !me.supervisor;
      api("GET", "/canned-replies").then(function (data) {
        data.items.forEach(function (text) { $("canned").appendChild(el("option", { value: text }, text)); });
      });
      refreshTickets();
      loadNotices();
      connect();
      // The knowledge page links a question to its conversation: /console?conversation=ID.
      var linked = new URLSearchParams(location.search).get("conversation");
      if (linked) { openConversation(linked); }
    }, function (error) { logout(); $("login-error").textContent = error.message; });
  }

  // System notices (GET /api/v1/notices) shown now: current, or starting within a day.
  function loadNotices() {
    fetch("/api/v1/notices").then(function (response) {
      return response.ok ? response.json() : { items: [] };
    }).then(function (data) {
      var shown = data.items.filter(function (n) { return n.shown; });
      $("notice-banner").textContent = "";
      shown.forEach(function (n) {
        $("notice-banner").appendChild(el("p", { "class": n.maintenance && n.current ? "now" : "" }, n.line));
      });
      $("notice-banner").hidden = shown.length === 0;
      var ending = Math.min.apply(null, shown.map(function (n) { return Date.parse(n.ends_at) - Date.now(); }));
      if (ending < 60000) { setTimeout(loadNotices, Math.max(ending, 0) + 1000); }
    }).catch(function () {});
  }

  function logout() {
    if (call) { call.hangup(); }
    s.token = null;
    sessionStorage.removeItem(TOKEN);
    if (s.socket) { var old = s.socket; s.socket = null; old.close(); }
    $("app").hidden = true;
    $("login-view").hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("login-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var body = { username: $("login-username").value.trim(), password: $("login-password").value };
      fetch("/api/v1/auth/token", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
        .then(function (response) {
          return response.json().then(function (data) {
            if (!response.ok) { throw new Error((data.error && data.error.message) || "登录失败"); }
            s.token = data.access_token;
            sessionStorage.setItem(TOKEN, s.token);
            $("login-error").textContent = "";
            start();
          });
        }).catch(function (error) { $("login-error").textContent = error.message; });
    });
    $("logout").addEventListener("click", logout);
    startCalls();
    $("call-video").addEventListener("click", function () { call.invite("video", s.current); });
    $("call-screen").addEventListener("click", function () { call.invite("screen", s.current); });
    $("skills-open").addEventListener("click", openSkills);
    $("claim").addEventListener("click", function () { act("/claim"); });
    $("hand-back").addEventListener("click", function () { act("/hand-back"); });
    $("close").addEventListener("click", function () { act("/close"); });
    $("transfer").addEventListener("click", function () {
      if ($("transfer-to").value) { act("/transfer", { to: $("transfer-to").value }); }
    });
    $("canned").addEventListener("change", function () {
      if ($("canned").value) { $("reply").value = $("canned").value; $("canned").value = ""; $("reply").focus(); }
    });
    $("composer").addEventListener("submit", function (event) { event.preventDefault(); send(); });
    $("reply").addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); send(); }
    });
    $("reply").addEventListener("input", function () { typing($("reply").value.trim() !== ""); });
    setInterval(function () { if (s.token) { loadNotices(); } }, 60000);
    setInterval(function () {
      Array.prototype.forEach.call(document.querySelectorAll(".waited"), function (node) {
        node.textContent = waited(node.getAttribute("data-since"));
      });
    }, 1000);
    if (s.token) { start(); }
  });
})();
