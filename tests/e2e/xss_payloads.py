"""Script-injection payloads for the browser tests: what a visitor may type, what a
project bearer or a partner feed may put in a title or a place name.

Each payload that runs calls ``alert`` (a dialog) or sets ``window.__xss``; the
tests count both, and check that every widget shows the payload as plain text.
All are short enough for a commune name (120 characters with a prefix)."""

from __future__ import annotations

FLAG = "window.__xss=(window.__xss||0)+1"

PAYLOADS: list[str] = [
    "<img src=x onerror=alert(1)>",
    f'<img src=x onerror="{FLAG}">',
    "<IMG SRC=x OnErRoR=alert(3)>",
    "<img/src=x/onerror=alert(4)>",
    "<svg onload=alert(5)>",
    f"<svg/onload={FLAG}>",
    "<svg><script>alert(7)</script></svg>",
    f'"><script>{FLAG}</script>',
    "'><img src=x onerror=alert(9)>",
    "</script><script>alert(10)</script>",
    '<iframe src="javascript:alert(11)"></iframe>',
    '<iframe srcdoc="<script>parent.alert(12)</script>"></iframe>',
    "<details open ontoggle=alert(13)>",
    "<body onload=alert(14)>",
    "<input autofocus onfocus=alert(15)>",
    "<video><source onerror=alert(16)></video>",
    "<audio src=x onerror=alert(17)>",
    '<object data="javascript:alert(18)"></object>',
    '<embed src="javascript:alert(19)">',
    '<a href="javascript:alert(20)">lien</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(21)>",
    "<style>@import 'javascript:alert(22)';</style>",
    "<marquee onstart=alert(23)>défilé</marquee>",
    "<select autofocus onfocus=alert(24)>",
    '<div style="background:url(javascript:alert(25))">fond</div>',
    "<img src=x onerror=eval(atob('YWxlcnQoMjYp'))>",
    "<scr<script>ipt>alert(27)</scr</script>ipt>",
    "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(28)>",
    "&lt;img src=x onerror=alert(29)&gt;",
    "<svg><animate onbegin=alert(30) attributeName=x dur=1s>",
    "<img src=x:alert(31) onerror=eval(src)>",
    "<form><button formaction=javascript:alert(32)>envoyer</button></form>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(33)">',
    '<base href="javascript:alert(34)//">',
    "<link rel=stylesheet href=javascript:alert(35)>",
    "{{constructor.constructor('alert(36)')()}}",
    "${alert(37)}",
    "javascript:alert(38)",
    '<x onmouseover=alert(39) style="display:block;width:100%;height:100%">survol</x>',
    f"<img src=x onerror={FLAG}><b>gras</b>",
]
