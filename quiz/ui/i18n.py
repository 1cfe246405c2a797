"""The interface in the learner's language: one message table, English as the key.

`--lang zh` (or `lang = "zh"` in the settings) shows the cards in Chinese; this module
makes the interface around them Chinese too: prompts, key hints, verdicts, notices,
summaries, rating names and their intervals. English is the default and is the key of
every message, so an English screen is exactly the text in the code.

Why a table and not gettext: a catalogue for gettext must be compiled (`msgfmt` is not
in the standard library) and shipped as a binary `.mo` beside the code; a Python dict
needs no build step, costs nothing to import, and a test checks it both ways (every
message the code asks for has a zh entry with the same `{placeholders}`, and every entry
is still asked for: tests/ui/test_i18n.py).

Two ways in:
- `tr(message, lang, **values)`: a message the UI writes itself;
- `notice(text, lang)`: a whole line the core wrote in English (the session's notices,
  the grader's refusals): matched against the `NOTICES` templates, its values (a card's
  key, a path) kept as they are; a line no template matches is shown in English.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from quiz.model import Rating

ZH: dict[str, str] = {
    # the card on screen
    "{done} done · {left} left": "已完成 {done} · 剩余 {left}",
    "**What does this print?**": "**这段代码输出什么？**",
    "(several are right: pick all of them)": "（不止一项正确：全部选出）",
    "code is wider than the terminal ({width} columns): ↪ marks where a line goes on": (
        "代码比终端宽（{width} 列）：↪ 表示上一行的延续"
    ),
    "why": "解释",
    "real output": "实际输出",
    "(no output)": "（没有输出）",
    "(timed out)": "（超时）",
    "(output truncated)": "（输出被截断）",
    "your prediction (-) vs real output (+)": "你的预测 (-) 与实际输出 (+)",
    "✓ right": "✓ 正确",
    "✗ wrong": "✗ 错误",
    "yours:  ": "你的：  ",
    "answer: ": "答案：  ",
    "answer:": "答案：",
    # keys
    "Enter/Space reveal · u undo · s skip · b bury · ! suspend · e edit · q quit": (
        "Enter/空格 显示答案 · u 撤销 · s 跳过 · b 埋到明天 · ! 暂停 · e 编辑 · q 退出"
    ),
    "finish with Enter · :u undo · :s skip · :b bury · :! suspend · :e edit · :q quit": (
        "按 Enter 提交 · :u 撤销 · :s 跳过 · :b 埋到明天 · :! 暂停 · :e 编辑 · :q 退出"
    ),
    "type the output, then an empty line (a line '.' stands for a blank line) · :u :s :b :! :e :q": (
        "逐行输入输出，以空行结束（单独一行 '.' 表示空行）· :u :s :b :! :e :q"
    ),
    "pick by number": "按编号选择",
    "your answer": "输入答案",
    "u undo · q quit": "u 撤销 · q 退出",
    "Enter = {rating}": "Enter = {rating}",
    "quick": "很快",
    "⏱ {seconds}s left": "⏱ 剩余 {seconds} 秒",
    "(keys read ahead, not used: {keys})": "（提前按下但未使用的键：{keys}）",
    "Enter: next card (what you type until then is not an answer)": (
        "Enter：下一张卡片（在此之前输入的内容不算作答案）"
    ),
    "time's up — recorded as a miss": "时间到——记为答错",
    "typed after time ran out, not used: ": "超时后输入，未使用：",
    "slow": "较慢",
    "r I was right": "r 我答对了",
    "t step through": "t 逐步执行",
    "Again": "重来",
    "Hard": "困难",
    "Good": "良好",
    "Easy": "简单",
    "recorded as right (I was right)": "已记为正确（我答对了）",
    "not a command here: {command}": "这里没有这个命令：{command}",
    "an empty prediction: Enter again if it prints nothing": "预测为空：若没有输出，再按一次 Enter",
    "running the snippet…": "正在运行代码…",
    "(your answer was cut to {chars} characters and {lines} lines)": (
        "（你的答案被截断为 {chars} 个字符、{lines} 行）"
    ),
    "no {language} text in deck {deck}: shown in {shown}": "牌组 {deck} 没有 {language} 文本：以 {shown} 显示",
    "no step-through: {reason}": "无法逐步执行：{reason}",
    "step through": "逐步执行",
    # drills
    "Drill: {right}/{n} right ({share}) · {avg} per question": (
        "练习：答对 {right}/{n}（{share}）· 每题 {avg}"
    ),
    " · {n} over time": " · {n} 题超时",
    " · stopped after {n} of {asked}": " · 在 {asked} 题中的第 {n} 题后停止",
    "card": "卡片",
    "time": "用时",
    "by tag": "按标签",
    "tag": "标签",
    "right": "答对",
    "of": "共",
    "share": "比例",
    "your answer: ": "你的答案：",
    "out of time": "超时",
    "next: ": "下一步：",
    "⏱ {seconds}s per question; over time counts as wrong": "⏱ 每题 {seconds} 秒；超时算错",
    "No cards match this drill. See: quiz decks": "没有符合这次练习的卡片。参见：quiz decks",
    # the end of a session
    "Nothing answered · due tomorrow: {due}": "没有作答 · 明天到期：{due}",
    "Reviewed {n} · {share} right · {minutes}m{seconds}s · due tomorrow: {due}": (
        "已复习 {n} · 正确率 {share} · {minutes} 分 {seconds} 秒 · 明天到期：{due}"
    ),
    "leech suspended: {key}": "难记卡片已暂停：{key}",
    "Loaded the bundled decks: {decks}": "已载入内置牌组：{decks}",
    "Nothing to review right now. ": "现在没有要复习的卡片。",
    "Load a deck first: quiz import PATH": "先载入一个牌组：quiz import PATH",
    "Come back later, or drill outside the schedule with: quiz drill": (
        "稍后再来，或者在计划之外练习：quiz drill"
    ),
    # quiz decks
    "deck": "牌组",
    "title": "标题",
    "cards": "卡片",
    "new": "新卡",
    "learning": "学习中",
    "due now": "现在到期",
    "suspended": "已暂停",
    "buried": "已埋",
    "No decks yet. Load some with: quiz import PATH": "还没有牌组。用这个命令载入：quiz import PATH",
    "Loaded the bundled decks into your new store: {decks}": "已把内置牌组载入你的新存储：{decks}",
}

# Whole lines the core writes in English (quiz.review.session, quiz.grading), as
# templates: `{name}` matches any text and is kept as it is, except the names in
# _NESTED, whose text is itself a line to translate.
NOTICES: dict[str, str] = {
    "nothing to undo": "没有可撤销的操作",
    "undone: {key} (unburied)": "已撤销：{key}（取消埋卡）",
    "undone: {key} (unsuspended)": "已撤销：{key}（取消暂停）",
    "undone: {key}": "已撤销：{key}",  # after the two above, which it would match too
    "buried until tomorrow: {key} (u: undo)": "已埋到明天：{key}（u：撤销）",
    "suspended: {key} (u: undo)": "已暂停：{key}（u：撤销）",
    "no answer given: type one (or :s to skip, :q to quit)": (
        "没有输入答案：请输入一个（或 :s 跳过，:q 退出）"
    ),
    "{why} (commands are written :s :q ...)": "{why}（命令写作 :s :q ……）",
    "no choice given": "没有选择",
    "not a choice: {token}: pick by number, like 2 or 1 3": (
        "不是选项：{token}：请按编号选择，例如 2 或 1 3"
    ),
    "no choice {numbers}: pick from 1 to {last}": "没有选项 {numbers}：请从 1 到 {last} 中选择",
    "{why}: not graded, not your miss. The card is broken; tell its author ({where}, or run: quiz check {path})": (
        "{why}：不评分，不算你答错。这张卡片有问题，请告诉作者（{where}，或运行：quiz check {path}）"
    ),
    "the snippet could not run ({reason})": "代码无法运行（{reason}）",
    "the snippet did not finish in time": "代码没有在时限内结束",
    "leech: {key} has lapsed {n} times and is suspended; rewrite it ({where}), then bring it back: quiz cards unsuspend {again} (or u: undo the answer)": (
        "难记卡片：{key} 已遗忘 {n} 次，已暂停；请改写它（{where}），"
        "再恢复：quiz cards unsuspend {again}（或 u：撤销这次作答）"
    ),
    "{reason}: {key} (skipped, not recorded twice)": "{reason}：{key}（已跳过，不会重复记录）",
    "time's up: {taken}s > {limit}s": "时间到：{taken} 秒 > {limit} 秒",
    "accepted: {answers}": "可接受的答案：{answers}",
}
_NESTED = frozenset({"why"})

# Interval previews ("10m", "4d": quiz.review.answer.span) and their units.
_SPAN = re.compile(r"(\d+(?:\.\d+)?)(mo|m|h|d|y)")
ZH_UNITS = {"m": "分钟", "h": "小时", "d": "天", "mo": "个月", "y": "年"}

CATALOGUES: Mapping[str, Mapping[str, str]] = {"zh": ZH}


def ui_lang(lang: str | None) -> str | None:
    """The catalogue for `lang` ("zh", "zh-CN", "zh-Hans" all read Chinese); None:
    English."""
    if not lang:
        return None
    base = lang.split("-")[0].split("_")[0].lower()
    return base if base in CATALOGUES else None


def tr(message: str, lang: str | None, **values: object) -> str:
    """`message` (English, with `{placeholders}`) in the interface language."""
    table = CATALOGUES.get(ui_lang(lang) or "")
    template = table.get(message, message) if table else message
    return template.format(**values) if values else template


def rating_name(rating: Rating, lang: str | None) -> str:
    return tr(rating.name.title(), lang)


def span(shown: str, lang: str | None) -> str:
    """An interval preview ("10m") in the interface language ("10分钟")."""
    if ui_lang(lang) != "zh":
        return shown
    return _SPAN.sub(lambda m: m.group(1) + ZH_UNITS[m.group(2)], shown)


@cache
def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(
        f"(?P<{part}>.+?)" if i % 2 else re.escape(part) for i, part in enumerate(parts)
    )
    return re.compile(f"{regex}$", re.S)


def notice(text: str, lang: str | None) -> str:
    """A line the core wrote in English, in the interface language when a template of
    NOTICES matches it whole (its values kept); else as it is."""
    if ui_lang(lang) != "zh":
        return text
    for template, translated in NOTICES.items():
        match = _pattern(template).match(text)
        if match:
            values = {
                name: notice(value, lang) if name in _NESTED else value
                for name, value in match.groupdict().items()
            }
            return translated.format(**values)
    return text
