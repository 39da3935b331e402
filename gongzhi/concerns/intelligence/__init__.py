"""Concern intelligence engine: pure Python (no Django), so it is tested and benchmarked alone.

- `segmentation`: jieba words as in the training data
- `classifier`: category + confidence, trained by `gongzhi concerns train`, shipped in data/
- `duplicates`: open concerns a new one probably repeats
- `hotissues`: groups of messages about one matter, ranked by heat
- `replies`: relevance, completeness and timeliness of an official reply
- `routing`: default category -> department table
"""
