/** The ledger keys performAction gives the trading switch's two writes (step#operation#target): the pause is the resume's record. */
export const SWITCH_OPERATION = 'ssm:PutParameter';
export const pauseKey = (parameter: string): string => `pause#${SWITCH_OPERATION}#${parameter}`;
export const resumeKey = (parameter: string): string => `resume#${SWITCH_OPERATION}#${parameter}`;
