"""Each provider's statement format read as saved in GB18030 (Alipay's download, a
spreadsheet on a Chinese Windows) and as UTF-8, and cut off (a download or copy that
stopped short, even in the middle of a Chinese character): what is whole is read, what is
cut is flagged as a bad line and never read, and the file is never taken for another
encoding. Pure rules: no database."""

import pytest

from jusha.payments import rules
from tests.payments.test_reconcile import ALIPAY_HEADER, WECHAT_HEADER, alipay_line, wechat_row

A, B = "a" * 32, "b" * 32
WHEN = "2026-12-05 10:00:00"
WECHAT_SUMMARY = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"


def alipay_text() -> str:
    return "\n".join([
        "#支付宝业务明细查询", "#起始日期：[2026年12月05日 00:00:00]   终止日期：[2026年12月05日 23:59:59]",
        ALIPAY_HEADER,
        alipay_line("2026001", A, "交易", "50.00", "-0.30", when=WHEN),
        alipay_line("2026002", B, "交易", "20.00", "-0.12", when=WHEN),
        "#-----------------------------------------业务明细列表结束------------------------------------",
        "#导出时间：[2026年12月06日 09:00:00]", "",
    ])


def wechat_text() -> str:
    rows = [wechat_row(WHEN, A, "SUCCESS", "50.00", "0.30000"), wechat_row(WHEN, B, "SUCCESS", "20.00", "0.12000")]
    return "\n".join([WECHAT_HEADER, *rows, WECHAT_SUMMARY, "`2,`70.00,`0.00,`0.00,`0.42000,`70.00,`0.00", ""])


def stripe_text() -> str:
    return ("id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description\n"
            f"txn_1,charge,ch_1,50.00,1.75,48.25,cny,2026-12-05 02:00,2026-12-07 02:00,Jusha gift {A} 捐赠\n"
            f"txn_2,charge,ch_2,20.00,0.88,19.12,cny,2026-12-05 03:00,2026-12-07 03:00,Jusha gift {B} 捐赠\n")


FORMATS = {"alipay": alipay_text, "wechatpay": wechat_text, "stripe": stripe_text}


def read(provider: str, data: bytes) -> rules.Statement:
    return rules.PARSERS[provider](data)


def summary(statement):
    return [(line.out_trade_no, line.amount, line.fee) for line in statement.lines]


WHOLE = {
    "alipay": [(A, 5000, 30), (B, 2000, 12)],
    "wechatpay": [(A, 5000, 30), (B, 2000, 12)],
    "stripe": [(A, 5000, 175), (B, 2000, 88)],
}


@pytest.mark.parametrize("provider", list(FORMATS))
@pytest.mark.parametrize("encoding", ["gb18030", "utf-8", "utf-8-sig"])
def test_a_statement_reads_the_same_in_gb18030_and_utf8(provider, encoding):
    statement = read(provider, FORMATS[provider]().encode(encoding))
    assert summary(statement) == WHOLE[provider] and statement.bad == []


@pytest.mark.parametrize("provider", list(FORMATS))
@pytest.mark.parametrize("encoding", ["gb18030", "utf-8"])
def test_a_statement_cut_in_its_last_line_reads_the_whole_lines_and_flags_the_cut_one(provider, encoding):
    text = FORMATS[provider]()
    data = text.encode(encoding)
    second = text.index(B)  # cut the file in the middle of the second line's order number
    cut = data[:len(text[:second].encode(encoding)) + 10]
    statement = read(provider, cut)
    assert summary(statement) == WHOLE[provider][:1]  # the first line read; the cut one never
    assert statement.bad, "a cut-off file is flagged"


@pytest.mark.parametrize("provider", list(FORMATS))
@pytest.mark.parametrize("encoding", ["gb18030", "utf-8"])
def test_a_statement_cut_in_the_middle_of_a_chinese_character_is_not_taken_for_another_encoding(provider, encoding):
    text = FORMATS[provider]()
    data = text.encode(encoding)
    # The last Chinese character before the end of the second line (Alipay: 捐赠 in its
    # 商品名称; WeChat Pay: 捐赠 in 商品名称; Stripe: 捐赠 in the description).
    at = text.index("捐", text.index(B)) if "捐" in text[text.index(B):] else text.index(B)
    start = len(text[:at].encode(encoding))
    cut = data[:start + 1]  # one byte of a two- or three-byte character
    statement = read(provider, cut)
    assert summary(statement) == WHOLE[provider][:1]
    assert statement.bad


def test_a_wechat_statement_whose_summary_counts_other_lines_is_flagged():
    text = wechat_text().replace("`2,`70.00", "`3,`90.00")
    statement = read("wechatpay", text.encode("gb18030"))
    assert summary(statement) == WHOLE["wechatpay"]
    assert [bad.reason for bad in statement.bad] == ["the summary counts 3 lines, the statement has 2"]


@pytest.mark.parametrize("provider", list(FORMATS))
def test_a_line_missing_cells_in_the_middle_of_a_statement_is_flagged_and_the_others_read(provider):
    text = FORMATS[provider]()
    lines = text.split("\n")
    index = next(i for i, line in enumerate(lines) if A in line)
    lines[index] = ",".join(lines[index].split(",")[:6])  # a line with its end lost
    statement = read(provider, "\n".join(lines).encode("gb18030"))
    assert summary(statement) == WHOLE[provider][1:]
    assert [bad.reason for bad in statement.bad][:1] == ["truncated line"]


def test_bytes_that_are_neither_utf8_nor_gb18030_are_refused():
    with pytest.raises(rules.StatementError):
        rules.decode(b"\xff\xfe\x00\x00 not text \x81\x30")
