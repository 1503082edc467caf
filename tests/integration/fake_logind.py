#!/usr/bin/python3
"""A stand-in for systemd-logind on a private D-Bus bus (argv[1]: its address), for session.sh. Owns
org.freedesktop.login1 and answers what latchkeyd asks: Manager.GetSession (session "c<id>"),
GetSessionByPID (always NoSessionForPID, as for a systemd user service), GetUser, and the user's Display
property (session c1). Each call is appended to argv[2] as "Method args". The test makes it emit logind's
signals through its own methods on /test (org.latchkey.Test: PrepareForSleep(b), Lock(s session id)), so
that they come from the name's owner, as latchkeyd's match rules require. Writes "ready" to argv[3] once the
name is owned; exits after 120 s at most. Runs with Debian's /usr/bin/python3 (python3-dbus, python3-gi)."""
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

ADDRESS, CALL_LOG, READY = sys.argv[1], sys.argv[2], sys.argv[3]
MANAGER = "org.freedesktop.login1.Manager"
BASE = "/org/freedesktop/login1"


def note(text):
    with open(CALL_LOG, "a", encoding="utf-8") as out:
        out.write(text + "\n")


objects = {}


def exported(kind, path):
    """The object at path, exported on the bus the first time it is asked for."""
    if path not in objects:
        objects[path] = kind(bus, path)
    return objects[path]


class Manager(dbus.service.Object):
    @dbus.service.method(MANAGER, in_signature="s", out_signature="o")
    def GetSession(self, session_id):
        note(f"GetSession {session_id}")
        return dbus.ObjectPath(f"{BASE}/session/{session_id}")

    @dbus.service.method(MANAGER, in_signature="u", out_signature="o")
    def GetSessionByPID(self, pid):
        note(f"GetSessionByPID {pid}")
        raise dbus.exceptions.DBusException(f"PID {pid} does not belong to any known session",
                                            name="org.freedesktop.login1.NoSessionForPID")

    @dbus.service.method(MANAGER, in_signature="u", out_signature="o")
    def GetUser(self, uid):
        note(f"GetUser {uid}")
        return exported(User, f"{BASE}/user/_{uid}").__dbus_object_path__

    @dbus.service.signal(MANAGER, signature="b")
    def PrepareForSleep(self, starting):
        pass


class User(dbus.service.Object):
    @dbus.service.method("org.freedesktop.DBus.Properties", in_signature="ss", out_signature="v")
    def Get(self, interface, name):
        note(f"Get {interface} {name}")
        if (interface, name) != ("org.freedesktop.login1.User", "Display"):
            raise dbus.exceptions.DBusException(f"no property {name}", name="org.freedesktop.DBus.Error.UnknownProperty")
        return dbus.Struct(("c1", dbus.ObjectPath(f"{BASE}/session/c1")), signature="so")


class Session(dbus.service.Object):
    @dbus.service.signal("org.freedesktop.login1.Session", signature="")
    def Lock(self):
        pass


class Test(dbus.service.Object):
    def __init__(self, connection, manager):
        super().__init__(connection, "/test")
        self.manager = manager

    @dbus.service.method("org.latchkey.Test", in_signature="b", out_signature="")
    def PrepareForSleep(self, starting):
        self.manager.PrepareForSleep(starting)

    @dbus.service.method("org.latchkey.Test", in_signature="s", out_signature="")
    def Lock(self, session_id):
        exported(Session, f"{BASE}/session/{session_id}").Lock()


DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(ADDRESS)
name = dbus.service.BusName("org.freedesktop.login1", bus, do_not_queue=True)
manager = Manager(bus, BASE)
test = Test(bus, manager)
with open(READY, "w", encoding="utf-8") as out:
    out.write("ready\n")
loop = GLib.MainLoop()
GLib.timeout_add_seconds(120, loop.quit)
loop.run()
