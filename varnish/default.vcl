vcl 4.1;

# The shop's front door. Contract for the backends (see varnish/README.md for the full text):
#
#   Cache-Control      what browsers (and any shared cache without Surrogate-Control) may do.
#   Surrogate-Control  what THIS cache does: `max-age=N` sets Varnish's lifetime and wins over
#                      Cache-Control; `content="ESI/1.0"` switches ESI processing on; `no-store`
#                      forbids caching. Never reaches the client.
#   xkey               space separated tags (product-42 stock-42 menu ...), purged by tag.
#                      Never reaches the client.
#
# Lines ending in a `# NAME` marker are rewritten by varnish/render-vcl.sh (used by the stack
# script and by the varnishtest cases): keep one value per marked line.

import cookie;
import std;
import str;
import var;
import vsthrottle;
import xkey;

probe health {
    .url = "/health";
    .interval = 2s;             # PROBE_INTERVAL
    .timeout = 1s;
    .window = 5;
    .threshold = 3;
    # Start healthy: Varnish may come up before the apps, and a cold cache has nothing stale to
    # serve anyway. A failing backend turns sick after three bad probes.
    .initial = 3;
}

backend storefront {
    .host = "127.0.0.1";        # STOREFRONT_HOST
    .port = "3000";             # STOREFRONT_PORT
    .probe = health;            # PROBE
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 10s;
}

backend catalog_api {
    .host = "127.0.0.1";        # CATALOG_API_HOST
    .port = "3001";             # CATALOG_API_PORT
    .probe = health;            # PROBE
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 10s;
}

backend stock_api {
    .host = "127.0.0.1";        # STOCK_API_HOST
    .port = "3002";             # STOCK_API_PORT
    .probe = health;            # PROBE
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 10s;
}

# The live stock gateway (WebSocket). Only upgrades are piped to it (see shop_live); a piped
# socket is bound by varnishd's pipe_timeout (60 s idle, the default), which the gateway's pings
# every LIVE_PING_INTERVAL_MS (20 s) stay under.
backend live {
    .host = "127.0.0.1";        # LIVE_HOST
    .port = "3004";             # LIVE_PORT
    .probe = health;            # PROBE
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 10s;
}

# Who may PURGE. client.ip honours the PROXY protocol, so a TLS terminator or load balancer in
# front passes the real client address through.
acl purgers {
    "127.0.0.1";
    "::1";
    # PURGE_NETWORKS
}

# Request ids the edge makes are <boot>-<xid>: req.xid is unique within one run of the child
# process but starts again at every (re)start, so it is prefixed with a token drawn from the
# child's random source whenever this VCL is initialised (each load, and again in a restarted
# child). Two draws of random() give 62 bits.
sub vcl_init {
    var.global_set("shop_boot",
        std.integer(real = std.random(0, 2147483647)) + "-" +
        std.integer(real = std.random(0, 2147483647)));
}

sub vcl_recv {
    # Internal markers are ours alone: a client must not be able to set them.
    if (req.restarts == 0) {
        unset req.http.X-Shop-Stale-If-Error;
    }
    unset req.http.X-Shop-Pass;
    unset req.http.X-Shop-Wants-Html;
    unset req.http.X-Shop-Error-Message;
    unset req.http.X-Shop-Retry-After;
    call shop_request_id;
    call shop_refuse_oversized;
    call shop_refuse_private;
    # Tells the backends that we assemble <esi:include> (a page fetched without it renders its
    # fragments inline). Set unconditionally so a client cannot claim or deny it.
    set req.http.Surrogate-Capability = {"varnish="ESI/1.0""};
    # Set below for the pages Varnish may store, never taken from a client (nor passed on from a
    # page to its ESI subrequests).
    unset req.http.X-Shop-Audience;

    if (req.method == "PURGE") {
        call shop_purge;
    }

    call shop_rate_limit;
    call shop_route;
    call shop_live;

    if (req.method != "GET" && req.method != "HEAD" && req.method != "POST" &&
        req.method != "PUT" && req.method != "PATCH" && req.method != "DELETE" &&
        req.method != "OPTIONS") {
        return (synth(405, "Method Not Allowed"));
    }

    call shop_normalize_url;
    call shop_strip_tracking_cookies;

    # Grace: while the backend is healthy serve an expired object for at most a few seconds (one
    # background refresh); while it is sick serve what we have for as long as the object's own
    # grace allows (24 h, set in vcl_backend_response). After a failed fetch (see vcl_deliver) we
    # come back here once with X-Shop-Stale-If-Error and take whatever stale copy is left.
    if (req.http.X-Shop-Stale-If-Error) {
        set req.grace = 24h;
    } else if (std.healthy(req.backend_hint)) {
        set req.grace = 10s;    # HEALTHY_GRACE
    }

    # Writes, credentials and the admin API are never cached; they keep their cookies.
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.http.Authorization || req.url ~ "^/admin(/|\?|$)") {
        return (pass);
    }
    # The header fragment is built from two cookies, `cart` and `user` (visitorFromCookies in
    # libs/storefront). A visitor with neither, nearly all of a sale-day crowd, gets one shared
    # copy, fetched without cookies; anyone with either gets their own below, never stored.
    if (req.url ~ "^/fragments/header(\?|$)" && req.http.Cookie !~ "(^|;)\s*(cart|user)=") {
        unset req.http.Cookie;
        return (hash);
    }
    # Per-user content: a shopper's header fragment; the cart and order APIs answer one shopper
    # (whoever holds the id), whatever their headers say. /notifications is a shopper's address
    # (and /notifications/back-in-stock, like /orders, two answers at one URL: see shop_route).
    if (req.url ~ "^/(fragments/header|account|cart|carts|checkout|orders|notifications)(/|\?|$)") {
        return (pass);
    }
    # Liveness must be live.
    if (req.url ~ "^/health(\?|$)") {
        return (pass);
    }

    # A storefront page is kept in two copies (X-Shop-Audience, hashed in vcl_hash): one for the
    # anonymous audience, visitors with neither cookie (nearly all of a sale-day crowd), with the
    # shared header, menu and footer rendered inside, so that only its stock badges are includes;
    # one for shoppers, whose header is an include of their own.
    if (req.backend_hint == storefront && req.url !~ "^/(fragments|assets)/") {
        if (req.http.Cookie ~ "(^|;)\s*(cart|user)=") {
            set req.http.X-Shop-Audience = "shopper";
        } else {
            set req.http.X-Shop-Audience = "anonymous";
        }
    }
    # Everything else is public and shared: cookies must not reach the backend (it would be
    # tempted to personalise) nor split the cache.
    unset req.http.Cookie;
    return (hash);
}

# X-Request-Id: the client's own id when it is 1 to 128 visible ASCII characters, else one made
# here; the backends get it, log it and pass it on, and the client gets it back (vcl_deliver,
# vcl_synth). ESI fragments are part of their page's request and carry the page's id (they start
# from the client's headers as received, so without this a made id would be made again). A
# restart keeps the id set on the first pass.
sub shop_request_id {
    if (req.esi_level > 0) {
        set req.http.X-Request-Id = req_top.http.X-Request-Id;
    } else {
        # Several X-Request-Id headers become one ", "-joined value, which is then refused.
        std.collect(req.http.X-Request-Id);
        if (req.http.X-Request-Id !~ "^[!-~]{1,128}$") {
            set req.http.X-Request-Id = var.global_get("shop_boot") + "-" + req.xid;
        }
    }
}

# Refused here rather than at the app, which answers 413 and closes while the body is still
# coming: Varnish then sees a failed fetch and would answer 503. The body limit is the apps' own
# (bodyLimit in libs/http/src/create-shop-app.ts, 1 MiB); the URL limit leaves the apps' 16 kB of
# headers room for the rest. varnish/varnishd.params lets varnishd parse URLs up to 64 kB, so
# that a longer URL than ours gets a status rather than a dropped connection.
sub shop_refuse_oversized {
    if (str.count(req.url) > 8192) {
        set req.http.X-Shop-Error-Message = "The request URL is longer than 8192 bytes";
        return (synth(414, "URI Too Long"));
    }
    # A body with a length is judged by it and streams on to the backend. A chunked one is read
    # into memory first (Varnish then sets its Content-Length), up to 4 MiB rather than just the
    # limit: once std.cache_req_body gives up, Varnish 7 closes the connection without sending
    # what vcl_recv returns, so only a chunked body over 4 MiB goes without its 413.
    if (!req.http.Content-Length && req.restarts == 0 && req.esi_level == 0 &&
        !std.cache_req_body(4194304B)) {
        set req.http.X-Shop-Error-Message = "The request body is larger than 1048576 bytes";
        return (synth(413, "Payload Too Large"));
    }
    # An unparsable length counts as too large (varnishd itself refuses most of those).
    if (req.http.Content-Length && std.integer(req.http.Content-Length, 1048577) > 1048576) {
        set req.http.X-Shop-Error-Message = "The request body is larger than 1048576 bytes";
        return (synth(413, "Payload Too Large"));
    }
}

# Metrics and the OpenAPI documents are for operators, on the apps' own ports. Matched as a
# prefix, on letters or their %-escapes (the apps' router decodes /%6detrics to /metrics).
sub shop_refuse_private {
    if (req.url ~ "(?i)^/+(m|%6d)(e|%65)(t|%74)(r|%72)(i|%69)(c|%63)(s|%73)" ||
        req.url ~ "(?i)^/+(d|%64)(o|%6f)(c|%63)(s|%73)") {
        return (synth(404, "Not Found"));
    }
}

# Writes per client address (client.ip, which honours the PROXY protocol but no header a client
# can set): admin writes, and stock-api's writes (stock, prices). vsthrottle keeps a token bucket
# per key: LIMIT requests at once, refilled at LIMIT per PERIOD; Retry-After is the time one
# token takes. Rendered by render-vcl.sh from VARNISH_ADMIN_WRITE_* and VARNISH_STOCK_WRITE_*.
sub shop_rate_limit {
    if (req.restarts == 0 && req.method != "GET" && req.method != "HEAD") {
        if (req.url ~ "^/admin(/|\?|$)") {
            if (vsthrottle.is_denied("admin-write " + client.ip,
                    3000,                                       # ADMIN_WRITE_LIMIT
                    10s)) {                                     # ADMIN_WRITE_PERIOD
                set req.http.X-Shop-Retry-After = "1";          # ADMIN_WRITE_RETRY_AFTER
                set req.http.X-Shop-Error-Message = "Too many admin writes from this address";
                return (synth(429, "Too Many Requests"));
            }
        } else if (req.url ~ "^/products/[^/?]+/(stock|price)(/|\?|$)") {
            if (vsthrottle.is_denied("stock-write " + client.ip,
                    10000,                                      # STOCK_WRITE_LIMIT
                    10s)) {                                     # STOCK_WRITE_PERIOD
                set req.http.X-Shop-Retry-After = "1";          # STOCK_WRITE_RETRY_AFTER
                set req.http.X-Shop-Error-Message = "Too many stock writes from this address";
                return (synth(429, "Too Many Requests"));
            }
        }
    }
}

# /products/:id/stock, /products/:id/price, /stock, /carts, /orders, /admin/orders and
# /notifications -> stock-api; /products, /categories, the rest of /admin -> catalog-api; the rest
# (pages such as /cart, fragments, /health) -> storefront. (/docs and /metrics never get here.)
# /orders/:id is two things at one address: the order as JSON (stock-api, and the `Location` of a
# checkout) and the shopper's confirmation page (storefront); the request's Accept decides
# (shop_prefers_html), and both are passed, never cached.
# /notifications/back-in-stock is the same: the JSON sign-up (stock-api; the badge script's fetch
# asks for JSON) and the sold-out badge's notify form posted without JavaScript, whose answer is
# a page (storefront, which signs up through stock-api). Only that path: it is the one form the
# storefront answers; the rest of /notifications stays stock-api's whatever the Accept, so a
# browser sent to a later API route there gets that route, not a storefront 404 page.
sub shop_route {
    if (req.url ~ "^/orders(/|\?|$)" || req.url ~ "^/notifications/back-in-stock(\?|$)") {
        call shop_prefers_html;
        if (req.http.X-Shop-Wants-Html) {
            set req.backend_hint = storefront;
        } else {
            set req.backend_hint = stock_api;
        }
        unset req.http.X-Shop-Wants-Html;
    } else if (req.url ~ "^/products/[^/?]+/(stock|price)(/|\?|$)" || req.url ~ "^/stock(/|\?|$)" ||
        req.url ~ "^/carts(/|\?|$)" || req.url ~ "^/admin/orders(/|\?|$)" ||
        req.url ~ "^/notifications(/|\?|$)") {
        set req.backend_hint = stock_api;
    } else if (req.url ~ "^/(products|categories|admin)(/|\?|$)") {
        set req.backend_hint = catalog_api;
    } else {
        set req.backend_hint = storefront;
    }
}

# Sets X-Shop-Wants-Html when Accept prefers an HTML page to JSON: it names text/html (with a q
# other than 0) and does not name application/json before it. Browsers navigating send
# `text/html,application/xhtml+xml,...;q=0.8`; API clients send application/json, */* or nothing,
# and get JSON. Order of listing stands in for q-values between the two, which no client we know
# of sets the other way round.
sub shop_prefers_html {
    unset req.http.X-Shop-Wants-Html;
    if (req.http.Accept ~ "(?i)(^|,)\s*text/html\s*(;|,|$)" &&
        req.http.Accept !~ "(?i)(^|,)\s*text/html\s*;\s*q\s*=\s*0(\.0*)?\s*(;|,|$)" &&
        req.http.Accept !~ "(?i)(^|,)\s*application/json\s*(;[^,]*)?,(.*,)?\s*text/html") {
        set req.http.X-Shop-Wants-Html = "1";
    }
}

# Tracking parameters never change a page: strip them, then sort the rest so that ?b=1&a=2 and
# ?a=2&b=1 share one object.
sub shop_normalize_url {
    if (req.url ~ "\?") {
        set req.url = regsuball(req.url,
            "(?i)([?&])(utm_[a-z0-9_]*|gclid|gclsrc|dclid|gbraid|wbraid|fbclid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi)(=[^&]*)?(?=&|$)",
            "\1");
        set req.url = regsuball(req.url, "([?&])&+", "\1");
        set req.url = regsub(req.url, "[?&]+$", "");
        set req.url = std.querysort(req.url);
    }
}

# Analytics cookies are read by scripts in the browser, never by the shop's backends.
sub shop_strip_tracking_cookies {
    if (req.http.Cookie) {
        cookie.parse(req.http.Cookie);
        cookie.filter_re("^(_ga|_gid|_gat|_gcl_|_fbp|_fbc|utm|__utm|_hj|_uet|_clck|_clsk|__hs|hubspotutk|_pk_|_dc_gtm_)");
        set req.http.Cookie = regsub(cookie.get_string(), ";\s*$", "");
        if (req.http.Cookie ~ "^[\s;]*$") {
            unset req.http.Cookie;
        }
    }
}

# PURGE by tag, from the purgers ACL only:
#   xkey: <tags>            hard purge, the objects are gone
#   xkey-softpurge: <tags>  soft purge, the objects expire but stay usable for grace: the next
#                           visitor gets the old copy once while a background fetch refreshes it
# Both headers may be sent together. Answers 200 with {"purged":N,"hard":H,"soft":S}.
sub shop_purge {
    if (client.ip !~ purgers) {
        return (synth(403, "Forbidden"));
    }
    if (!req.http.xkey && !req.http.xkey-softpurge) {
        return (synth(400, "PURGE needs an xkey or xkey-softpurge header"));
    }
    set req.http.X-Shop-Purged-Hard = "0";
    set req.http.X-Shop-Purged-Soft = "0";
    if (req.http.xkey) {
        set req.http.X-Shop-Purged-Hard = xkey.purge(req.http.xkey);
    }
    if (req.http.xkey-softpurge) {
        set req.http.X-Shop-Purged-Soft = xkey.softpurge(req.http.xkey-softpurge);
    }
    return (synth(200, "Purged"));
}

sub vcl_hash {
    hash_data(req.url);
    if (req.http.X-Shop-Audience) {
        hash_data(req.http.X-Shop-Audience);
    }
    if (req.http.Host) {
        hash_data(std.tolower(regsub(req.http.Host, ":\d+$", "")));
    } else {
        hash_data(server.ip);
    }
    return (lookup);
}

sub vcl_pass {
    # Remembered for vcl_deliver: a failed pass has no stale copy to fall back on.
    set req.http.X-Shop-Pass = "1";
    return (fetch);
}

# ws://<front>/live: the WebSocket upgrade is piped to the live gateway (vcl_pipe keeps the
# Upgrade and Connection headers); a plain request there is passed, never cached.
sub shop_live {
    if (req.url ~ "^/live(/|\?|$)") {
        set req.backend_hint = live;
        if (req.http.Upgrade ~ "(?i)^websocket$") {
            return (pipe);
        }
        return (pass);
    }
}

# Varnish sends "Connection: close" on every piped request unless told otherwise; a WebSocket
# handshake needs the client's Upgrade and Connection to reach the backend.
sub vcl_pipe {
    if (req.http.Upgrade) {
        set bereq.http.Upgrade = req.http.Upgrade;
        set bereq.http.Connection = req.http.Connection;
    }
}

sub vcl_backend_fetch {
    unset bereq.http.X-Shop-Stale-If-Error;
    unset bereq.http.X-Shop-Pass;
    return (fetch);
}

sub vcl_backend_response {
    # A failed background refresh must not replace the stale copy we are serving.
    if (bereq.is_bgfetch && beresp.status >= 500) {
        return (abandon);
    }

    if (beresp.http.Surrogate-Control ~ {"(?i)content="ESI/1\.0""}) {
        set beresp.do_esi = true;
    }

    if (bereq.uncacheable) {
        return (deliver);
    }

    # Surrogate-Control speaks to this cache and wins over Cache-Control, which speaks to
    # browsers: a page shell may be `Cache-Control: private, no-cache` for the browser (its
    # header fragment is per user) and still live an hour here.
    if (beresp.http.Surrogate-Control ~ "(?i)no-store") {
        call shop_hit_for_miss;
    }
    if (beresp.http.Surrogate-Control ~ "(?i)(^|[,\s])max-age=\d+") {
        set beresp.ttl = std.duration(
            regsub(beresp.http.Surrogate-Control, "(?i)^(.*[,\s])?max-age=(\d+).*$", "\2") + "s",
            0s);
    } else if (beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)") {
        call shop_hit_for_miss;
    }

    if (beresp.ttl <= 0s || beresp.http.Set-Cookie || beresp.http.Vary == "*") {
        call shop_hit_for_miss;
    }
    # Errors are cached briefly at most, so a fixed backend shows at once.
    if (beresp.status >= 500) {
        call shop_hit_for_miss;
    }
    if (beresp.status >= 400 && beresp.ttl > 60s) {
        set beresp.ttl = 60s;
    }

    # A purge cannot reach a fetch still in flight: an object whose origin read came before a
    # change but that lands after the change's purge is stored as new. The sync worker purges
    # every tag a second time 2 s later (SettlingPurger in libs/http-cache) to catch those; a
    # fetch slower than that may land after the second purge too, so it is kept a moment only.
    if (now - bereq.time > 2s) {
        if (beresp.ttl > 2s) {
            set beresp.ttl = 2s;
        }
    }

    # Serve stale for up to a day while the backend is sick (vcl_recv shortens this to a few
    # seconds while it is healthy).
    set beresp.grace = 24h;
    return (deliver);
}

sub shop_hit_for_miss {
    set beresp.ttl = 120s;
    set beresp.grace = 0s;
    set beresp.uncacheable = true;
    return (deliver);
}

sub vcl_backend_error {
    if (bereq.is_bgfetch) {
        return (abandon);
    }
    # An error is never stored; vcl_deliver retries once allowing any stale copy.
    set beresp.uncacheable = true;
    set beresp.ttl = 0s;
    set beresp.reason = "Service Unavailable";
    set beresp.http.X-Shop-Fetch-Failed = "1";
    set beresp.http.Cache-Control = "no-store";
    set beresp.http.Retry-After = "5";
    if (bereq.url ~ "^/fragments/") {
        # Inside a page: leave a hole, not a second HTML document.
        set beresp.http.Content-Type = "text/html; charset=utf-8";
        synthetic("<!-- fragment unavailable -->");
    } else if (bereq.backend == storefront) {
        set beresp.http.Content-Type = "text/html; charset=utf-8";
        synthetic({"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>We'll be right back</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#222}h1{font-size:1.6rem}p{line-height:1.5}</style>
</head>
<body>
<h1>We'll be right back</h1>
<p>The shop is taking a short break. Please try again in a moment; your cart is safe.</p>
<p><small>Reference "} + bereq.xid + {"</small></p>
</body>
</html>
"});
    } else {
        set beresp.http.Content-Type = "application/json; charset=utf-8";
        synthetic({"{"statusCode":503,"error":"Service Unavailable","message":"The service is temporarily unavailable, please retry" }"});
    }
    return (deliver);
}

sub vcl_deliver {
    # A failed fetch on a cacheable request: go round once more, allowing any stale copy.
    if (resp.http.X-Shop-Fetch-Failed && req.restarts == 0 && !req.http.X-Shop-Pass) {
        set req.http.X-Shop-Stale-If-Error = "1";
        return (restart);
    }

    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    set resp.http.X-Cache-Hits = obj.hits;
    if (obj.hits > 0 && obj.ttl <= 0s) {
        set resp.http.X-Cache-Stale = "1";
    }

    unset resp.http.xkey;
    unset resp.http.Surrogate-Control;
    unset resp.http.X-Shop-Fetch-Failed;
    # The same /orders (and /notifications/back-in-stock) URL answers HTML or JSON by Accept (see
    # shop_route): no cache downstream may mix them up.
    if ((req.url ~ "^/orders(/|\?|$)" || req.url ~ "^/notifications/back-in-stock(\?|$)") &&
        resp.http.Vary !~ "(?i)(^|,)\s*accept\s*(,|$)") {
        if (resp.http.Vary) {
            set resp.http.Vary = resp.http.Vary + ", Accept";
        } else {
            set resp.http.Vary = "Accept";
        }
    }
    # A cached object may carry the id of the request that fetched it: this request's wins.
    set resp.http.X-Request-Id = req.http.X-Request-Id;
    return (deliver);
}

sub vcl_synth {
    set resp.http.X-Cache = "MISS";
    set resp.http.X-Cache-Hits = "0";
    set resp.http.X-Request-Id = req.http.X-Request-Id;
    if (req.http.X-Shop-Retry-After) {
        set resp.http.Retry-After = req.http.X-Shop-Retry-After;
    }
    if (req.method == "PURGE" && resp.status == 200) {
        set resp.http.Content-Type = "application/json; charset=utf-8";
        synthetic({"{"purged":"} +
            (std.integer(req.http.X-Shop-Purged-Hard, 0) + std.integer(req.http.X-Shop-Purged-Soft, 0)) +
            {","hard":"} + req.http.X-Shop-Purged-Hard +
            {","soft":"} + req.http.X-Shop-Purged-Soft + "}");
        return (deliver);
    }
    # Messages are our own constants: nothing a client sent is echoed into the JSON.
    if (!req.http.X-Shop-Error-Message) {
        set req.http.X-Shop-Error-Message = resp.reason;
    }
    set resp.http.Content-Type = "application/json; charset=utf-8";
    synthetic({"{"statusCode":"} + resp.status + {","error":""} + resp.reason +
        {"","message":""} + req.http.X-Shop-Error-Message + {"" }"});
    return (deliver);
}
