"""Recognition from the policy: 百名生态环境志愿者 and 十佳公众参与案例, tied to campaign days."""
