"""An R1Actors custom reward, in veRL's convention: GSM8K-style final numbers.

Use it with
    r1.rewards.custom { path = "hocon/rewards/gsm8k_reward.py", kind = "gsm8k-custom" }
and rows whose task kind is "gsm8k-custom":
    {"task": "gsm8k-custom", "question": "...", "ground_truth": "... #### 72"}

R1Actors calls compute_score(data_source=..., solution_str=..., ground_truth=..., extra_info=...) in its code
sandbox, one call per completion: data_source is the row's "data_source" (else its task kind), solution_str
the completion, ground_truth the row's "ground_truth" (else "reference", else "answer"), extra_info every
other field of the row. Return a number, or a dict with a numeric "score" and any other numeric figures:
those are logged with the rollouts and averaged in every Step event. Only the standard library (and what the
system interpreter has installed) can be imported; there is no network.
"""
import re
from fractions import Fraction

ANSWER_BLOCK = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
# A number: digits with thousands groups of exactly three (1,080; not 7,2), an optional decimal part, or .5
NUMBER = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|-?\.\d+")


def final_number(text):
    """The last number in the text, without thousands separators; None when there is none."""
    numbers = NUMBER.findall(text)
    return numbers[-1].replace(",", "") if numbers else None


def same_number(left, right):
    try:
        return Fraction(left) == Fraction(right)
    except (ValueError, ZeroDivisionError):
        return left.strip() == right.strip()


def compute_score(data_source, solution_str, ground_truth, extra_info=None):
    truth = final_number(str(ground_truth).split("####")[-1])
    blocks = ANSWER_BLOCK.findall(solution_str)
    block = blocks[-1] if blocks else None            # the last answer block, as R1Actors' own extractor reads it
    answer = final_number(block if block is not None else solution_str)
    correct = truth is not None and answer is not None and same_number(answer, truth)
    return {
        "score": 1.0 if correct else 0.0,
        "answer_in_block": 1.0 if block is not None else 0.0,
    }
