"""Cause funds and their grants have no admin pages: funds are opened and run by staff on the
funds' own pages (`funds.services`, audit-logged), and every grant is public on the fund's page
and in the transparency log. (An admin would show their fields' labels untranslated.)"""
