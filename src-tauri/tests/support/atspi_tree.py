"""Prints the accessibility tree of the running screenpop window as a screen reader reads it
through AT-SPI: one JSON object per node, depth first, {depth, role, name, text}. Used by
src-tauri/tests/a11y.rs; needs python3-pyatspi and the test's D-Bus session."""

import json
import sys

import pyatspi


def text_of(node):
    try:
        text = node.queryText()
        return text.getText(0, text.characterCount)
    except NotImplementedError:
        return ""
    except Exception:  # a node that went away while being read
        return ""


def walk(node, depth, out):
    if node is None or depth > 60:
        return
    try:
        out.append({
            "depth": depth,
            "role": node.getRoleName(),
            "name": node.name or "",
            "text": text_of(node),
        })
        children = list(node)
    except Exception:
        return
    for child in children:
        walk(child, depth + 1, out)


def main():
    wanted = sys.argv[1] if len(sys.argv) > 1 else "screenpop"
    desktop = pyatspi.Registry.getDesktop(0)
    out = []
    for app in desktop:
        if app is not None and wanted in (app.name or ""):
            walk(app, 0, out)
    for node in out:
        print(json.dumps(node, ensure_ascii=False))


if __name__ == "__main__":
    main()
