"""Reputation: reviews and questions from the marketplaces, their analysis, the answers drafted
for them, a manager's approval and the publishing of the answer (SPEC §3 Reputation, §4.6;
seed 002). Pure: standard library only, time passed in.
"""
