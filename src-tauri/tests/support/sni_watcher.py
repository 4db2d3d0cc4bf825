"""A StatusNotifierWatcher, as a desktop's panel runs one, for a test to read a tray menu.

Owns org.kde.StatusNotifierWatcher on the session bus, says a host is registered (so an app
shows its tray icon as a StatusNotifierItem rather than an old XEmbed icon), and when an item
registers, reads its menu through com.canonical.dbusmenu (GetLayout) and prints the labels of
the top-level entries as one JSON list, then exits. Exits 2 if nothing registers in time.

    python3 sni_watcher.py TIMEOUT_SECONDS
"""

import json
import sys

from gi.repository import Gio, GLib

WATCHER = "org.kde.StatusNotifierWatcher"
INTERFACE = """
<node>
  <interface name="org.kde.StatusNotifierWatcher">
    <method name="RegisterStatusNotifierItem"><arg type="s" direction="in"/></method>
    <method name="RegisterStatusNotifierHost"><arg type="s" direction="in"/></method>
    <property name="RegisteredStatusNotifierItems" type="as" access="read"/>
    <property name="IsStatusNotifierHostRegistered" type="b" access="read"/>
    <property name="ProtocolVersion" type="i" access="read"/>
    <signal name="StatusNotifierItemRegistered"><arg type="s"/></signal>
    <signal name="StatusNotifierHostRegistered"/>
  </interface>
</node>
"""

loop = GLib.MainLoop()
items = []
result = {"code": 2}


def labels_of(bus, sender, item_path):
    """The labels of the item's menu, top level, in order (separators left out)."""
    menu_path = bus.call_sync(
        sender, item_path, "org.freedesktop.DBus.Properties", "Get",
        GLib.Variant("(ss)", ("org.kde.StatusNotifierItem", "Menu")),
        GLib.VariantType("(v)"), Gio.DBusCallFlags.NONE, 5000, None,
    ).unpack()[0]
    # A menu is built lazily: ask for the layout until its entries are there.
    for _ in range(50):
        _, layout = bus.call_sync(
            sender, menu_path, "com.canonical.dbusmenu", "GetLayout",
            GLib.Variant("(iias)", (0, -1, ["label", "type"])),
            GLib.VariantType("(u(ia{sv}av))"), Gio.DBusCallFlags.NONE, 5000, None,
        ).unpack()
        children = layout[2]
        labels = [c[1].get("label") for c in children if c[1].get("type") != "separator"]
        if labels:
            return labels
        GLib.usleep(100_000)
    return []


def on_call(bus, sender, path, interface, method, params, invocation):
    if method == "RegisterStatusNotifierItem":
        service = params.unpack()[0]
        item_path = service if service.startswith("/") else "/StatusNotifierItem"
        items.append(f"{sender}{item_path}")
        invocation.return_value(None)
        try:
            print(json.dumps(labels_of(bus, sender, item_path)), flush=True)
            result["code"] = 0
        except GLib.Error as e:
            print(f"reading the menu failed: {e.message}", file=sys.stderr, flush=True)
            result["code"] = 1
        loop.quit()
    else:
        invocation.return_value(None)


def on_get(bus, sender, path, interface, name):
    return {
        "RegisteredStatusNotifierItems": GLib.Variant("as", items),
        "IsStatusNotifierHostRegistered": GLib.Variant("b", True),
        "ProtocolVersion": GLib.Variant("i", 0),
    }[name]


def on_bus(bus, _name):
    info = Gio.DBusNodeInfo.new_for_xml(INTERFACE).interfaces[0]
    bus.register_object("/StatusNotifierWatcher", info, on_call, on_get, None)


def on_name(_bus, _name):
    print("watching", file=sys.stderr, flush=True)


def on_lost(_bus, _name):
    print("another StatusNotifierWatcher owns the name", file=sys.stderr, flush=True)
    loop.quit()


Gio.bus_own_name(Gio.BusType.SESSION, WATCHER, Gio.BusNameOwnerFlags.NONE, on_bus, on_name, on_lost)
GLib.timeout_add_seconds(int(sys.argv[1]), loop.quit)
loop.run()
sys.exit(result["code"])
