#!/usr/bin/python3
# dbus-service.py ADDRESS [NAME...]: a test service on the bus at ADDRESS
# owning the NAMEs (default org.sbxtest.Allowed and org.sbxtest.Secret),
# each answering org.sbxtest.Iface.Hello() on /org/sbxtest; prints "ready"
# once every name is owned.
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


wanted = sys.argv[2:] or ["org.sbxtest.Allowed", "org.sbxtest.Secret"]
names = [dbus.service.BusName(n, bus) for n in wanted]
Obj(bus, "/org/sbxtest")
print("ready", flush=True)
GLib.MainLoop().run()
