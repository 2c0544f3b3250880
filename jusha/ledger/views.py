from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

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
    return render(request, "ledger/project.html", {
        "project": project,
        "page": page,
        "rows": ledger_rows(with_expenditures(page.object_list)),
        "sums": project_sums([project.pk])[project.pk],
        "budget_lines": budget_lines_with_spent(project),
    })


class _Echo:
    def write(self, value):
        return value


@domain_errors
def project_ledger_csv(request, slug):
    project = access_ledger_project(user=request.user, slug=slug)
    columns = ["id", "created_at", "kind", "direction", "amount", "currency", "memo", "budget_line", "description", "spent_on", "voucher_sha256", "voucher_url"]

    def lines():
        writer = spreadsheet.writer(_Echo())  # no cell becomes a formula
        yield "\ufeff" + writer.writerow(columns)  # BOM: spreadsheet apps then read UTF-8
        entries = project_entries(project)
        for start in range(0, entries.count(), 1000):
            chunk = with_expenditures(entries[start : start + 1000])
            for row in ledger_rows(chunk, media_url=lambda f: request.build_absolute_uri(f.url)):
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
