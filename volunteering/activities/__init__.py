"""Teams, the project library (项目库), activities at stations and online sign-up (在线报名)."""
