from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _, gettext_lazy

from jusha.core import spreadsheet
from jusha.core.errors import DomainError
from jusha.core.pages import domain_errors
from jusha.ledger import services
from jusha.ledger.forms import ExpenditureForm
from jusha.ledger.permissions import access_ledger_project, access_spending_project
from jusha.ledger.schemas import ledger_rows
from jusha.ledger.selectors import budget_lines_with_spent, project_entries, with_expenditures
from jusha.projects.selectors import project_sums


@domain_errors
def project_ledger(request, slug):
    project = access_ledger_project(user=request.user, slug=slug)
    page = Paginator(project_entries(project), 50).get_page(request.GET.get("page"))
    entries = with_expenditures(page.object_list)
    rows = ledger_rows(entries)
    for row, entry in zip(rows, entries):
        row["moment"] = entry.created_at  # the page shows it in words (time_tags.when)
    return render(request, "ledger/project.html", {
        "project": project,
        "page": page,
        "rows": rows,
        "sums": project_sums([project.pk])[project.pk],
        "budget_lines": budget_lines_with_spent(project),
    })


# The CSV's columns: the code a machine reads beside the words a person reads. Amounts stay
# integers of minor units (fen), as the header says.
CSV_COLUMNS = {
    "id": gettext_lazy("Entry"), "created_at": gettext_lazy("Time"), "kind": gettext_lazy("Kind"),
    "kind_label": gettext_lazy("Kind, in words"), "direction": gettext_lazy("Direction"),
    "amount": gettext_lazy("Amount (fen)"), "currency": gettext_lazy("Currency"), "memo": gettext_lazy("Memo"),
    "budget_line": gettext_lazy("Budget line"), "description": gettext_lazy("Description"),
    "spent_on": gettext_lazy("Spent on"), "voucher_sha256": gettext_lazy("Voucher SHA-256"),
    "voucher_url": gettext_lazy("Voucher"),
}


class _Echo:
    def write(self, value):
        return value


@domain_errors
def project_ledger_csv(request, slug):
    project = access_ledger_project(user=request.user, slug=slug)
    columns = list(CSV_COLUMNS)
    language = translation.get_language()  # the rows are written after the view returns

    def lines():
        writer = spreadsheet.writer(_Echo())  # no cell becomes a formula
        with translation.override(language):
            # BOM: spreadsheet apps then read UTF-8. Each header names the column in the reader's
            # language with its stable code beside it: "金额（分） (amount)".
            yield "\ufeff" + writer.writerow([f"{label} ({code})" for code, label in CSV_COLUMNS.items()])
        entries = project_entries(project)
        for start in range(0, entries.count(), 1000):
            chunk = with_expenditures(entries[start : start + 1000])
            with translation.override(language):
                rows = ledger_rows(chunk, media_url=lambda f: request.build_absolute_uri(f.url))
            for row in rows:
                yield writer.writerow([row.get(c, "") for c in columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="jusha-ledger-{project.slug}.csv"'
    return response


@login_required
@domain_errors
def expenditure_new(request, slug):
    project = access_spending_project(user=request.user, slug=slug)
    form = ExpenditureForm(request.POST or None, request.FILES or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.expenditure_record(project=project, actor=request.user, voucher=form.cleaned_data["voucher"],
                                        **{k: form.cleaned_data[k] for k in ("budget_line", "amount", "description", "spent_on")})
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
        else:
            messages.success(request, _("The expenditure is on the public ledger."))
            return redirect("ledger:project", slug=project.slug)
    return render(request, "ledger/expenditure_form.html", {"project": project, "form": form}, status=422 if form.errors else 200)
