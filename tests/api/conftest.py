def pytest_terminal_summary(terminalreporter):
    from tests.api.test_fuzz import SEEN

    if SEEN["cases"]:
        figures = ", ".join(f"{key} {SEEN[key]}" for key in sorted(SEEN))
        terminalreporter.write_line(f"API fuzzing: {figures}")
