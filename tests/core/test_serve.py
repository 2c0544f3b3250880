"""`manage.py serve` (make run): the address banner is the last line before serving."""

from jusha.core.management.commands.serve import Command


def test_the_banner_is_the_last_line_before_serving(capsys):
    command = Command()  # both Django's lines and the banner to the same stdout, in order
    command.banner = "Jusha: http://127.0.0.1:{port}"
    command.addr, command.port, command._raw_ipv6, command.use_ipv6, command.protocol = "127.0.0.1", "8000", False, False, "http"
    command.on_bind("8000")
    printed = capsys.readouterr().out
    assert printed.rstrip().splitlines()[-1] == "Jusha: http://127.0.0.1:8000"
    assert "Starting development server" in printed
