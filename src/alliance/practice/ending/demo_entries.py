"""Entries the demo's relapse-prevention plans are drawn from: ordinary, invented lines of the
kind clients write, per section (``THERAPY``), with coaching variants where they differ
(``COACHING``) and a few Spanish lines for the Spanish-speaking demo client (``SPANISH``)."""

from __future__ import annotations

THERAPY: dict[str, list[str]] = {
    "warning_signs": [
        "Staying in bed after the alarm, day after day",
        "Cancelling plans with friends at the last minute",
        "Not answering messages for days",
        "Waking at 4 am and going over things",
        "Skipping meals or living on snacks",
        "Snapping at the people closest to me",
        "Thinking 'what's the point' about small jobs",
        "Letting the post pile up unopened",
        "Drinking more in the evenings",
        "Scrolling on my phone until late at night",
        "Tense shoulders and jaw all day",
        "Avoiding the shops when they are busy",
        "Dropping the things I enjoy, like music or cooking",
        "Checking things over and over before leaving the house",
    ],
    "triggers": [
        "The weeks around the anniversary in spring",
        "Long dark evenings in winter",
        "Conflict at work, especially with my manager",
        "Being on my own all weekend",
        "Staying with family for more than two days",
        "Money worries at the end of the month",
        "Several nights of poor sleep in a row",
        "Big changes, like moving house or a new job",
        "Old photos coming up on social media",
        "Busy, noisy places when I am already tired",
        "Being criticised in front of others",
        "Deadlines piling up at once",
    ],
    "coping": [
        "A 20-minute walk outside, whatever the weather",
        "Writing down three things that went all right today",
        "Slow breathing for two minutes: in for four, out for six",
        "Getting up at the same time every day",
        "Breaking a big job into the first small step",
        "Texting a friend even when I don't feel like it",
        "Noticing a thought as just a thought and letting it pass",
        "Planning one thing I enjoy each day",
        "Cooking a proper meal at least twice a week",
        "Phone off an hour before bed",
        "Swimming on Tuesdays and Fridays",
        "Asking what I would tell a friend in my place",
        "Weighing the evidence for and against a worry",
        "Time in the garden",
    ],
    "people": [
        "My sister, in the evenings",
        "My partner: tell them early, not when it is bad",
        "My oldest friend: a walk together",
        "My neighbour, always up for a coffee",
        "A colleague I trust",
        "My brother: message first, he calls back",
        "The Saturday running group",
        "My aunt, who has been through something similar",
    ],
    "contacts": [
        "My GP surgery: book an appointment and say it is about my mood",
        "The practice: ask for a review session",
        "Crisis line on the card in my wallet, open day and night",
        "If I am in danger: emergency services or A&E",
        "Employee assistance programme at work",
    ],
    "if_signs_return": [
        "Notice it and write down which signs I see",
        "Go back to the daily walk and a regular bedtime",
        "Tell one person on my list within two days",
        "Read this plan again and pick two coping strategies",
        "If it lasts more than two weeks, see my GP",
        "Contact the practice for a booster session",
        "No alcohol for a while",
        "Remember that a setback is not starting from zero",
        "Keep to my routine even when it is harder",
    ],
    "proud": [
        "Going back to the gym after two years",
        "Talking to my manager about my workload",
        "Telling my family how I had been feeling",
        "Coming to every session, even the hard ones",
        "Sleeping through most nights now",
        "Taking the bus into town on my own",
        "Starting the evening class I had put off",
        "Saying no without days of guilt",
        "Getting back in touch with an old friend",
        "Being able to talk about what happened",
    ],
}

COACHING: dict[str, list[str]] = {
    "warning_signs": [
        "Putting off the one task that matters most",
        "Saying yes to every request and resenting it later",
        "Working late most evenings again",
        "Losing sight of why I chose this goal",
        "Comparing myself with colleagues all the time",
        "Dreading Monday from Saturday afternoon",
    ],
    "triggers": [
        "Performance reviews",
        "A new manager or a team reshuffle",
        "Projects without clear goals",
        "Weeks with back-to-back meetings",
        "Deadlines piling up at once",
    ],
    "coping": [
        "Two hours of focused work every morning, calendar blocked",
        "A goal review every Friday afternoon",
        "Saying 'let me check and get back to you' before agreeing",
        "Talking decisions through with my mentor",
        "A 20-minute walk outside at lunchtime",
        "Writing down three things that went well this week",
    ],
    "if_signs_return": [
        "Go back to the Friday goal review",
        "Book a catch-up session with my coach",
        "Pick the single most important task for tomorrow",
        "Read this plan again and pick two strategies",
    ],
    "proud": [
        "Applying for the senior role",
        "Setting clear priorities for my team",
        "Leaving work on time three days a week",
        "Asking for feedback instead of guessing",
        "Finishing the project I had been avoiding",
    ],
}

SPANISH: dict[str, list[str]] = {
    "warning_signs": ["Dejar de quedar con mis amigas", "Dormir mal varias noches seguidas"],
    "coping": ["Caminar media hora cada día", "Escribir lo que me preocupa y dejarlo ahí"],
    "people": ["Mi hermana, por las tardes"],
    "contacts": ["Mi médica de cabecera", "La consulta: pedir una sesión de repaso"],
}

# How many entries each section gets (low, high inclusive) in a completed plan.
COUNTS: dict[str, tuple[int, int]] = {
    "warning_signs": (2, 4),
    "triggers": (1, 3),
    "coping": (2, 4),
    "people": (1, 2),
    "contacts": (2, 3),
    "if_signs_return": (2, 3),
    "proud": (1, 3),
}
