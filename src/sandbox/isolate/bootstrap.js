/*
 * Runs INSIDE the isolate, once per fresh context, before the context is given to a run.
 * Plain JavaScript (no TypeScript, no imports): it is compiled by V8 in the sandbox.
 *
 * What a fetchUserProfile script can reach:
 *   - its arguments: accessToken (string), ctx (a copy of the provider's token response),
 *     cb(err, profile) (first call wins);
 *   - the ECMAScript built-ins of a fresh V8 context (Object, Array, JSON, Math, Date,
 *     Promise, RegExp, Map, Set, Intl, encodeURIComponent, eval, ...), fresh for every run,
 *     without WebAssembly, SharedArrayBuffer and Atomics;
 *   - request(options | url, [options], callback), request.get/post/put/patch/del/delete/head:
 *     options url|uri, method, headers, qs, json (true = parse the response; object = send as
 *     JSON), form (object or string), body (string), auth {user, pass} | {bearer};
 *     callback(err, response { statusCode, headers, body }, body);
 *   - fetch(url, { method, headers, body }) -> Promise of { status, ok, url, headers (plain
 *     object with lower-case names, plus get(name)/has(name)), text(), json() };
 *   - Buffer.from(value, 'utf8' | 'base64' | 'base64url' | 'hex' | 'latin1').toString(enc),
 *     Buffer.byteLength(string), Buffer.isBuffer(x); btoa(string), atob(string);
 *   - console.log/info/warn/error/debug: discarded, except in a traced run (the console's "Try"
 *     and "Run script"), where each call's arguments go to the host as one line of text.
 * Nothing else: no require, process, module, timers, file system or host objects. Every
 * request goes through the host's egress policy and counts against the run's limits.
 *
 * Completion value: bootstrap(send, settle, bytes, log) -> dispatch(op, ...). `send`, `settle`
 * and `log` are host callbacks kept in this closure only; `bytes` is bytes.js; `dispatch` is held by
 * the host only.
 */
(function bootstrap(send, settle, bytes, log) {
  'use strict';
  var stringify = JSON.stringify;
  var parse = JSON.parse;
  var P = Promise; // the script may replace the global; our plumbing keeps the real one
  var pending = new Map();
  var nextId = 0;
  var settled = false;
  var tracing = false; // set by 'start' for a traced run; cleared when the host says the bounds are reached
  var MAX_LINE = 4096;

  function describe(err) {
    try {
      if (err !== null && typeof err === 'object' && 'message' in err) {
        return { message: String(err.message), stack: typeof err.stack === 'string' ? err.stack : '' };
      }
      return { message: String(err), stack: '' };
    } catch (e) {
      return { message: 'an error that cannot be described', stack: '' };
    }
  }

  function once(kind, payload) {
    if (settled) return;
    settled = true;
    settle(kind, payload);
  }

  function finish(profile) {
    var json;
    try {
      json = stringify(profile);
    } catch (e) {
      return once('invalid_result', 'the profile cannot be turned into JSON: ' + describe(e).message);
    }
    once('ok', json);
  }

  function callback(err, profile) {
    if (err !== null && err !== undefined) once('callback_error', describe(err));
    else finish(profile);
  }

  function startRequest(options, done) {
    var id = ++nextId;
    var refusal = send(id, stringify(options));
    if (typeof refusal === 'string') throw new TypeError(refusal);
    pending.set(id, done);
  }

  // ---- request (the subset of the `request` module that profile scripts use) ----
  function request(a, b, c) {
    var options;
    var cb = typeof b === 'function' ? b : c;
    if (typeof a === 'string') options = Object.assign({}, typeof b === 'object' && b !== null ? b : {}, { url: a });
    else options = Object.assign({}, a);
    if (typeof cb !== 'function') throw new TypeError('request: a callback function is required');
    startRequest(options, function (err, res) {
      if (err) return cb(new Error(err));
      var body = res.body;
      if (options.json) {
        try { body = parse(body); } catch (e) { /* like request: a non-JSON body stays a string */ }
      }
      cb(null, { statusCode: res.status, headers: res.headers, body: body }, body);
    });
  }
  function verb(method) {
    return function (a, b, c) {
      var options = typeof a === 'string' ? Object.assign({}, typeof b === 'object' && b !== null ? b : {}, { url: a }) : Object.assign({}, a);
      options.method = method;
      return request(options, typeof b === 'function' ? b : c);
    };
  }
  request.get = verb('GET');
  request.post = verb('POST');
  request.put = verb('PUT');
  request.patch = verb('PATCH');
  request.del = request['delete'] = verb('DELETE');
  request.head = verb('HEAD');

  // ---- fetch (WHATWG-like subset) ----
  function headersOf(raw) {
    var headers = Object.assign({}, raw);
    Object.defineProperty(headers, 'get', { value: function (name) { var v = raw[String(name).toLowerCase()]; return v === undefined ? null : v; } });
    Object.defineProperty(headers, 'has', { value: function (name) { return raw[String(name).toLowerCase()] !== undefined; } });
    return headers;
  }
  function fetch(url, init) {
    init = init || {};
    return new P(function (resolve, reject) {
      var headers = Array.isArray(init.headers) ? Object.fromEntries(init.headers) : init.headers;
      if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') {
        throw new TypeError('fetch: body must be a string (use JSON.stringify for JSON)');
      }
      startRequest({ url: String(url), method: init.method, headers: headers, body: init.body }, function (err, res) {
        if (err) return reject(new TypeError('fetch failed: ' + err));
        resolve({
          status: res.status, ok: res.status >= 200 && res.status < 300, url: res.url, redirected: false,
          headers: headersOf(res.headers),
          text: function () { return P.resolve(res.body); },
          json: function () { return new P(function (ok) { ok(parse(res.body)); }); },
        });
      });
    });
  }

  function text(value) {
    if (typeof value === 'string') return value;
    try {
      var json = stringify(value);
      return json === undefined ? String(value) : json;
    } catch (e) {
      return String(value);
    }
  }
  function level(name) {
    return function () {
      if (!tracing) return;
      var parts = [];
      for (var i = 0; i < arguments.length; i++) parts.push(text(arguments[i]));
      var line = parts.join(' ');
      if (line.length > MAX_LINE) line = line.slice(0, MAX_LINE) + '…';
      if (log(name, line) !== true) tracing = false;
    };
  }
  var helpers = bytes();
  var globals = {
    request: request, fetch: fetch, Buffer: helpers.Buffer, btoa: helpers.btoa, atob: helpers.atob,
    console: { log: level('log'), info: level('info'), warn: level('warn'), error: level('error'), debug: level('debug') },
  };
  Object.keys(globals).forEach(function (name) {
    Object.defineProperty(globalThis, name, { value: globals[name], writable: true, configurable: true });
  });
  // No profile script needs them, and they are the largest attack surface V8 offers.
  delete globalThis.WebAssembly;
  delete globalThis.SharedArrayBuffer;
  delete globalThis.Atomics;

  // The host's only way in. Returns true from 'start' when the script returned a promise
  // that is still pending (the host then waits for it instead of declaring no_callback).
  return function dispatch(op, a, b, c, d) {
    if (op === 'start') {
      var fn = a; // the host evaluated the script and saw a function (sandbox/evaluate.ts)
      tracing = d === true;
      var returned;
      try {
        returned = fn(b, c, callback);
      } catch (err) {
        once('thrown', describe(err));
        return false;
      }
      try {
        if (returned !== null && typeof returned === 'object' && typeof returned.then === 'function') {
          returned.then(function (value) {
            // An async function that calls cb later resolves to undefined: keep waiting for cb.
            if (value === undefined) { if (!settled) settle('returned', null); }
            else finish(value);
          }, function (err) { once('thrown', describe(err)); });
          return true;
        }
      } catch (err) {
        once('thrown', describe(err));
        return false;
      }
      if (returned !== undefined) finish(returned);
      return false;
    }
    if (op === 'deliver') {
      var done = pending.get(a);
      pending.delete(a);
      if (!done) return false;
      try {
        if (b.error !== undefined) done(b.error);
        else done(null, b);
      } catch (err) {
        once('thrown', describe(err));
      }
      return false;
    }
    return false;
  };
});
