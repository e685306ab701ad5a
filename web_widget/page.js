// What the signed-in pages (通知, 审批) share: the login form, the token kept for the tab,
// and api(), which throws the core's Chinese message (with the field it names).
// A page calls KaipiaoPage.signIn(key, start) once; start() runs after every login.
(function () {
  "use strict";
  var token = null, tokenKey = null;
  function $(id) { return document.getElementById(id); }

  function logout() {
    token = null;
    sessionStorage.removeItem(tokenKey);
    $("app").hidden = true;
    $("login-view").hidden = false;
  }

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

  function signIn(key, start) {
    tokenKey = key;
    token = sessionStorage.getItem(key);
    function enter() { $("login-view").hidden = true; $("app").hidden = false; start(); }
    $("login-form").addEventListener("submit", function (e) {
      e.preventDefault();
      $("login-error").textContent = "";
      var body = { username: $("login-username").value, password: $("login-password").value };
      fetch("/api/v1/auth/token", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
        .then(function (r) { return r.json().then(function (d) { if (!r.ok) throw new Error((d.error && d.error.message) || "登录失败。"); return d; }); })
        .then(function (d) { token = d.access_token; sessionStorage.setItem(key, token); enter(); })
        .catch(function (err) { $("login-error").textContent = err.message; });
    });
    $("logout").addEventListener("click", logout);
    if (token) enter();
  }

  window.KaipiaoPage = { api: api, signIn: signIn, signedIn: function () { return !!token; } };
})();
