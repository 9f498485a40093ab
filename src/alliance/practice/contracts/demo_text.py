"""Words for the demo contracts: goals as clients might put them, each with five levels
(-2 .. +2) for goal attainment scaling, ways of working and readiness answers.  Invented for
the demo; no real client's words."""

from __future__ import annotations

#: goal -> its five levels, from -2 (much less than expected) to +2 (much more)
THERAPY_GOALS: dict[str, tuple[str, str, str, str, str]] = {
    "Sleep through most nights": (
        "Awake for hours almost every night",
        "Awake for an hour or more most nights",
        "Sleeping through four nights a week",
        "Sleeping through five or six nights a week",
        "Sleeping through nearly every night and waking rested",
    ),
    "Feel less on edge at work": (
        "Dreading work every day, calling in sick",
        "Tense most of the day, most days",
        "Some tense moments, but able to settle again",
        "Mostly calm; tension passes quickly",
        "Calm at work and able to enjoy parts of it",
    ),
    "Go back to choir": (
        "Not thinking about choir at all",
        "Thinking about it but not in touch",
        "Back at choir at least twice a month",
        "Back every week",
        "Back every week and singing in the concert",
    ),
    "Say no to my brother without feeling guilty for days": (
        "Saying yes to everything he asks",
        "Saying no once, then feeling guilty for days",
        "Saying no when I mean it; guilt fades in a day",
        "Saying no calmly; little guilt",
        "Saying no calmly, and we still get on",
    ),
    "Spend an evening with friends without wanting to leave": (
        "Not seeing friends at all",
        "Seeing friends but leaving early every time",
        "Staying for a whole evening now and then",
        "Enjoying most evenings out",
        "Planning evenings out myself",
    ),
    "Talk with my partner about money without a row": (
        "Every money talk ends in a row",
        "Avoiding the subject altogether",
        "One calm talk a month about money",
        "Talking about money calmly when it comes up",
        "Made a plan together and stuck to it",
    ),
}

COACHING_GOALS: dict[str, tuple[str, str, str, str, str]] = {
    "Decide whether to apply for the team lead role": (
        "Avoiding the question",
        "Still going back and forth",
        "Decided, with reasons I can explain",
        "Decided and told my manager",
        "Decided, applied or declined, and at peace with it",
    ),
    "Block two mornings a week for focused work": (
        "No focused time at all",
        "One morning now and then",
        "Two mornings most weeks",
        "Two mornings every week",
        "Two mornings every week and the team respects them",
    ),
    "Speak up in the Monday meeting": (
        "Silent in every meeting",
        "Speaking only when asked",
        "Raising one point of my own most weeks",
        "Raising points every week",
        "Leading part of the meeting",
    ),
    "Finish my portfolio and send it to three studios": (
        "Portfolio untouched",
        "Half finished",
        "Finished and sent to three studios",
        "Sent to five studios",
        "Sent, and invited to at least one interview",
    ),
    "Have a plan for the next two years": (
        "No idea where I am heading",
        "A few ideas, nothing written",
        "A written plan with three steps",
        "A plan, and the first step taken",
        "A plan I review every month, two steps taken",
    ),
}

CHILD_GOALS: dict[str, tuple[str, str, str, str, str]] = {
    "Go to school every day without a tummy ache": (
        "Missing school most days",
        "Missing school one or two days a week",
        "At school every day, tummy aches some mornings",
        "At school every day, tummy aches rarely",
        "At school every day and looking forward to it",
    ),
    "Sleep in my own bed": (
        "Sleeping in my parents' bed every night",
        "Starting in my bed, moving over every night",
        "In my own bed most nights",
        "In my own bed every night",
        "In my own bed every night and falling asleep alone",
    ),
    "Play with the other children at break": (
        "Staying inside at every break",
        "Outside but on my own",
        "Playing with someone at most breaks",
        "Playing with others at every break",
        "Playing with others and invited to a friend's house",
    ),
}

TASKS = {
    "therapy": (
        "We talk about what happened in the week and what we notice in the session; "
        "between sessions you try one small experiment and keep brief notes."
    ),
    "coaching": (
        "Each session we pick one goal, look at what helps and what gets in the way, and "
        "agree one concrete step before the next session."
    ),
    "child": (
        "Play and drawing in the sessions; a parent joins for the last ten minutes, and "
        "every fourth session is with the parents only."
    ),
}

HOPES = [
    "To feel like myself again",
    "To enjoy weekends instead of dreading Mondays",
    "To stop going round in circles about the same things",
    "To know what I want from work",
    "To have more good days than bad ones",
    "To be able to relax with my family",
]

CONCERNS = [
    "",
    "",
    "Finding the time every week",
    "Talking about the past",
    "Whether it will make a difference",
]

CLIENT_REWORDINGS = {
    "Sleep through most nights": "Sleep through most nights without checking my phone",
    "Feel less on edge at work": "Feel calm enough at work to take my lunch break",
    "Speak up in the Monday meeting": "Say what I think in the Monday meeting, even briefly",
    "Block two mornings a week for focused work": "Keep Tuesday and Thursday mornings free",
    "Sleep in my own bed": "Sleep in my own bed with the night light on",
}
