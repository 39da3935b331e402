import logging

from gongzhi.core.logging import MaskPersonalData, mask_text


def test_id_numbers_and_phones_are_masked_in_log_text():
    text = "居民 310113198001011234 手机 13812345678 已更新；订单号 1234567890123"
    assert mask_text(text) == "居民 3101**********1234 手机 138****5678 已更新；订单号 1234567890123"


def test_log_records_pass_through_the_filter_masked():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "lookup %s by %s", ("13812345678", "王"), None)
    MaskPersonalData().filter(record)
    assert record.getMessage() == "lookup 138****5678 by 王"
