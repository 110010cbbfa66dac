#!/usr/bin/python3
# dbus-service.py ADDRESS: a test service on the bus at ADDRESS owning
# org.sbxtest.Allowed and org.sbxtest.Secret, each answering Hello() on
# /org/sbxtest; prints "ready" once both names are owned.
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(sys.argv[1])


class Obj(dbus.service.Object):
    @dbus.service.method("org.sbxtest.Iface", out_signature="s")
    def Hello(self):
        return "hello"


names = [dbus.service.BusName(n, bus) for n in ("org.sbxtest.Allowed", "org.sbxtest.Secret")]
Obj(bus, "/org/sbxtest")
print("ready", flush=True)
GLib.MainLoop().run()
