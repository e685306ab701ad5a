(function () {
  "use strict";
  var TOKEN = "kaipiao-notifications-token";
  var KINDS = { risk_alert: "风险预警", red_letter_form: "红字确认单待确认", ticket_reply: "留言回复", approval: "审批待处理" };
  var WAYS = ["app", "wechat", "email", "sms"];
  var WAY_NAMES = { app: "站内", wechat: "微信", email: "邮件", sms: "短信" };
  var token = sessionStorage.getItem(TOKEN);
  function $(id) { return document.getElementById(id); }

  function api(method, path, body) {
    var options = { method: method, headers: { Authorization: "Bearer " + token } };
    if (body !== undefined) { options.headers["content-type"] = "application/json"; options.body = JSON.stringify(body); }
    return fetch(path, options).then(function (r) {
      if (r.status === 401) { logout(); throw new Error("请重新登录。"); }
      if (r.status === 204) return null;
      return r.json().then(function (d) {
        if (!r.ok) {
          var failure = new Error((d.error && d.error.message) || "操作失败，请稍后再试。");
          failure.field = d.error && d.error.field;
          throw failure;
        }
        return d;
      });
    });
  }

  function logout() { token = null; sessionStorage.removeItem(TOKEN); $("app").hidden = true; $("login-view").hidden = false; }

  $("login-form").addEventListener("submit", function (e) {
    e.preventDefault();
    $("login-error").textContent = "";
    var body = { username: $("login-username").value, password: $("login-password").value };
    fetch("/api/v1/auth/token", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (d) { if (!r.ok) throw new Error((d.error && d.error.message) || "登录失败。"); return d; }); })
      .then(function (d) { token = d.access_token; sessionStorage.setItem(TOKEN, token); start(); })
      .catch(function (err) { $("login-error").textContent = err.message; });
  });
  $("logout").addEventListener("click", logout);

  function showSettings(s) {
    var rows = $("ways");
    rows.textContent = "";
    Object.keys(KINDS).forEach(function (kind) {
      var tr = document.createElement("tr");
      var th = document.createElement("td");
      th.textContent = KINDS[kind];
      tr.appendChild(th);
      WAYS.forEach(function (way) {
        var td = document.createElement("td");
        var box = document.createElement("input");
        box.type = "checkbox";
        box.dataset.kind = kind;
        box.dataset.way = way;
        box.checked = (s.ways[kind] || []).indexOf(way) >= 0;
        box.setAttribute("aria-label", KINDS[kind] + "：" + WAY_NAMES[way]);
        td.appendChild(box);
        tr.appendChild(td);
      });
      rows.appendChild(tr);
    });
    $("quiet-on").checked = !!s.quiet_from;
    if (s.quiet_from) { $("quiet-from").value = s.quiet_from; $("quiet-to").value = s.quiet_to; }
  }

  // The quiet hours are typed in 24-hour time: "2200", "22.00", "22：00" and "7:30" are read
  // as 22:00 and 07:30; anything else goes as typed and the app says what is wrong with it.
  var CLOCK_FIELDS = { quiet_from: ["quiet-from", "开始时间"], quiet_to: ["quiet-to", "结束时间"] };
  function clockText(text) {
    var m = /^\s*(\d{1,2})\s*[:：.]?\s*(\d{2})\s*$/.exec(text);
    return m ? ("0" + m[1]).slice(-2) + ":" + m[2] : text.trim();
  }
  Object.keys(CLOCK_FIELDS).forEach(function (field) {
    var input = $(CLOCK_FIELDS[field][0]);
    input.addEventListener("change", function () { input.value = clockText(input.value); input.removeAttribute("aria-invalid"); });
  });

  $("settings-form").addEventListener("submit", function (e) {
    e.preventDefault();
    Object.keys(CLOCK_FIELDS).forEach(function (field) {
      var input = $(CLOCK_FIELDS[field][0]);
      input.value = clockText(input.value);
      input.removeAttribute("aria-invalid");
    });
    var ways = {};
    Object.keys(KINDS).forEach(function (kind) { ways[kind] = []; });
    document.querySelectorAll("#ways input").forEach(function (box) { if (box.checked) ways[box.dataset.kind].push(box.dataset.way); });
    var body = { ways: ways };
    if ($("quiet-on").checked) { body.quiet_from = $("quiet-from").value; body.quiet_to = $("quiet-to").value; }
    api("PUT", "/api/v1/notification-settings", body)
      .then(function (s) { showSettings(s); $("settings-status").textContent = "已保存。"; })
      .catch(function (err) {
        var clock = CLOCK_FIELDS[err.field];
        $("settings-status").textContent = clock ? clock[1] + "：" + err.message : err.message;
        if (clock) { $(clock[0]).setAttribute("aria-invalid", "true"); $(clock[0]).focus(); }
      });
  });

  function showList(page) {
    var list = $("list");
    list.textContent = "";
    $("empty").hidden = page.items.length > 0;
    page.items.forEach(function (n) {
      var li = document.createElement("li");
      li.className = n.read ? "" : "unread";
      var title = document.createElement("strong");
      title.textContent = n.title;
      var body = document.createElement("p");
      body.textContent = n.body;
      var when = document.createElement("time");
      when.textContent = new Date(n.created_at).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai" });
      li.appendChild(title); li.appendChild(body); li.appendChild(when);
      if (!n.read) {
        var mark = document.createElement("button");
        mark.type = "button";
        mark.textContent = "标为已读";
        mark.addEventListener("click", function () { api("POST", "/api/v1/notifications/" + n.id + "/read").then(loadList); });
        li.appendChild(mark);
      }
      list.appendChild(li);
    });
  }

  function loadList() { return api("GET", "/api/v1/notifications?size=50").then(showList); }

  function start() {
    $("login-view").hidden = true;
    $("app").hidden = false;
    api("GET", "/api/v1/notification-settings").then(showSettings).catch(function () {});
    loadList().catch(function () {});
  }

  if (token) start();
  // New notifications appear without reloading the page.
  setInterval(function () { if (token) loadList().catch(function () {}); }, 15000);
})();
