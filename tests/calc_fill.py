"""Run by tests/calc.py in a Python that has LibreOffice's uno module: open a workbook in a headless Calc,
type text into cells as the keyboard does, save as .xlsx. The one argument is a JSON file holding the job:
{"source": path, "target": path, "profile": file URI, "entries": [[sheet, cell, text or null], ...]}."""
import json
import subprocess
import sys
import time
import uuid

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main():
    with open(sys.argv[1], encoding="utf-8") as fh:
        job = json.load(fh)
    pipe = f"kpireport_{uuid.uuid4().hex}"
    office = subprocess.Popen(["soffice", f"-env:UserInstallation={job['profile']}", "--headless", "--invisible",
                               "--nologo", "--norestore", "--nodefault", f"--accept=pipe,name={pipe};urp;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        context = None
        for _ in range(120):
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.5)
        if context is None:
            raise SystemExit("LibreOffice did not start")
        manager = context.ServiceManager
        desktop = manager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        dispatcher = manager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", context)
        document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(job["source"]), "_blank", 0,
                                                (prop("Hidden", True),))
        frame = document.getCurrentController().getFrame()
        for sheet_name, cell_name, text in job["entries"]:
            sheet = document.Sheets.getByName(sheet_name)
            document.getCurrentController().setActiveSheet(sheet)
            dispatcher.executeDispatch(frame, ".uno:GoToCell", "", 0, (prop("ToPoint", cell_name),))
            if text is None:
                dispatcher.executeDispatch(frame, ".uno:ClearContents", "", 0, (prop("Flags", 1 | 2 | 4 | 16),))
            else:
                dispatcher.executeDispatch(frame, ".uno:EnterString", "", 0, (prop("StringName", text),))
        document.storeToURL(uno.systemPathToFileUrl(job["target"]), (prop("FilterName", "Calc MS Excel 2007 XML"),))
        document.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass
    finally:
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main()
