"""GoodAI's runner with no display, for the scripts here that run it (run_goodai.py, record_messages.py,
record_restaurant.py): no HTML report opened in a browser, no tkinter progress window."""
import runner.scheduler as sched


class _NoDialog:  # GoodAI's progress window is tkinter; there is no display here
    def __init__(self, *a, **k): pass
    def __getattr__(self, name): return lambda *a, **k: None


def headless(run_path):
    """Patches GoodAI's scheduler module before a TestRunner runs in run_path."""
    sched.generate_report = lambda results: run_path / 'report.html'  # no browser
    sched.webbrowser.open_new_tab = lambda *a: None
    sched.ProgressDialog = _NoDialog
