// The demo page: log in as a user of the invoicing app and hand the token to the widget.
(function () {
  "use strict";
  var TOKEN = "kaipiao.demo.token";
  window.KaipiaoWidgetOptions = { token: sessionStorage.getItem(TOKEN) || "" };
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("login");
    var status = document.getElementById("login-status");
    var logout = document.getElementById("logout");
    function loggedIn(name) {
      status.textContent = name ? "已登录：" + name : "未登录（访客）";
      logout.hidden = !name;
    }
    loggedIn(sessionStorage.getItem(TOKEN) ? sessionStorage.getItem(TOKEN + ".user") : "");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = { username: form.username.value.trim(), password: form.password.value };
      fetch("/api/v1/auth/token", {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body)
      }).then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) { throw new Error((data.error && data.error.message) || "登录失败"); }
          sessionStorage.setItem(TOKEN, data.access_token);
          sessionStorage.setItem(TOKEN + ".user", body.username);
          loggedIn(body.username);
          form.password.value = "";
          if (window.KaipiaoWidget) { window.KaipiaoWidget.setToken(data.access_token); }
        });
      }).catch(function (error) { status.textContent = error.message; });
    });
    // A login in the widget's own form (its login card) shows here too.
    window.addEventListener("kaipiao:login", function (event) {
      sessionStorage.setItem(TOKEN, event.detail.token);
      sessionStorage.setItem(TOKEN + ".user", event.detail.username);
      loggedIn(event.detail.username);
    });
    logout.addEventListener("click", function () {
      sessionStorage.removeItem(TOKEN);
      loggedIn("");
      if (window.KaipiaoWidget) { window.KaipiaoWidget.setToken(""); }
    });
  });
})();
