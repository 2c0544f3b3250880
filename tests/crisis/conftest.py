import random

import pytest



def needs_model_libraries():
    """Skip (saying why) where the model's libraries are not installed yet."""
    pytest.importorskip("sklearn", reason="scikit-learn is not installed: pip install -r requirements.txt (crisis model)")
    pytest.importorskip("opencc", reason="opencc-python-reimplemented is not installed: pip install -r requirements.txt")

# Invented posts for the tests (written for them, never from the reference data).
CALM = ["今天好累", "工作做不完", "想吃火锅", "晚安", "下雨了", "猫好可爱", "天气真好", "周末去爬山"]
LOW = ["失眠好几天了", "心情不好", "一个人好孤独", "好想哭", "没人懂我"]
WISH = ["活着没意思", "不想活了", "好想死", "想离开这个世界"]
PLAN = ["药已经攒好了", "遗书写好了", "打算周末去天台", "明天就是最后一天", "东西都送给朋友了"]


def invented_rows(n=400, seed=3):
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        label = rng.randint(0, 10)
        pool = CALM if label < 3 else LOW + CALM if label < 4 else WISH + LOW if label < 6 else PLAN + WISH
        rows.append(("，".join(rng.sample(pool, rng.randint(1, 3))) + f"#{rng.randint(0, 10**6)}", label))
    return rows


def write_tsv(path, rows, header=("comment", "myLabel"), encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        fh.write("\t".join(header) + "\n")
        for row in rows:
            fh.write("\t".join(str(v) for v in row) + "\n")
    return path


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory):
    needs_model_libraries()
    from django.conf import settings  # noqa: F401  (settings are configured by pytest-django)

    from jusha.crisis import model

    rows = invented_rows()
    pipeline, figures = model.train(rows[:300], val_rows=rows[300:], grid=(10.0,))
    path = tmp_path_factory.mktemp("crisis") / "model.bin"
    model.save(pipeline, path, data_fingerprint=model.fingerprint(rows[:300]), figures=figures, rows=300)
    return path
