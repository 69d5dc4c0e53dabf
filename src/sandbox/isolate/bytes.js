/*
 * Runs INSIDE the isolate (plain JavaScript, compiled by V8 in the sandbox): the byte helpers
 * profile scripts commonly use for Basic auth headers and JWT payloads. Bytes are kept as a
 * "binary string" (one char per byte): there is no TextEncoder in a bare V8 context.
 *
 * Completion value: a function returning { btoa, atob, Buffer }, called by bootstrap.js.
 */
(function bytes() {
  'use strict';
  var fromCharCode = String.fromCharCode;
  var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

  function btoa(input) {
    var s = String(input);
    var out = '';
    for (var i = 0; i < s.length; i += 3) {
      var a = s.charCodeAt(i), b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2);
      if (a > 255 || b > 255 || c > 255) throw new Error('btoa: the string contains characters outside Latin-1');
      var n = (a << 16) | ((b || 0) << 8) | (c || 0);
      out += B64[n >> 18] + B64[(n >> 12) & 63] + (i + 1 < s.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < s.length ? B64[n & 63] : '=');
    }
    return out;
  }
  function atob(input) {
    var s = String(input).replace(/[\s=]/g, '').replace(/-/g, '+').replace(/_/g, '/');
    var out = '';
    var bits = 0, value = 0;
    for (var i = 0; i < s.length; i++) {
      var digit = B64.indexOf(s[i]);
      if (digit < 0) throw new Error('atob: the string is not valid base64');
      value = (value << 6) | digit;
      bits += 6;
      if (bits >= 8) { bits -= 8; out += fromCharCode((value >> bits) & 255); }
    }
    return out;
  }
  function toBinary(value, enc) {
    enc = String(enc || 'utf8').toLowerCase();
    if (value instanceof ByteString) return value.bytes;
    if (Array.isArray(value)) return fromCharCode.apply(null, value.map(function (x) { return x & 255; }));
    var s = String(value);
    if (enc === 'base64' || enc === 'base64url') return atob(s);
    if (enc === 'hex') {
      var bytes = '';
      for (var i = 0; i + 1 < s.length && /^[0-9a-f]{2}$/i.test(s.slice(i, i + 2)); i += 2) bytes += fromCharCode(parseInt(s.slice(i, i + 2), 16));
      return bytes;
    }
    if (enc === 'latin1' || enc === 'binary' || enc === 'ascii') return s;
    return unescape(encodeURIComponent(s));
  }
  function ByteString(bytes) { this.bytes = bytes; this.length = bytes.length; }
  ByteString.prototype.toString = function (enc) {
    enc = String(enc || 'utf8').toLowerCase();
    var bytes = this.bytes;
    if (enc === 'base64') return btoa(bytes);
    if (enc === 'base64url') return btoa(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    if (enc === 'hex') return bytes.replace(/[\s\S]/g, function (ch) { return (ch.charCodeAt(0) + 256).toString(16).slice(1); });
    if (enc === 'latin1' || enc === 'binary' || enc === 'ascii') return bytes;
    try { return decodeURIComponent(escape(bytes)); } catch (e) { return bytes; }
  };
  var Buffer = {
    from: function (value, enc) { return new ByteString(toBinary(value, enc)); },
    isBuffer: function (x) { return x instanceof ByteString; },
    byteLength: function (value, enc) { return toBinary(value, enc).length; },
  };

  return { btoa: btoa, atob: atob, Buffer: Buffer };
});
